// drafter serve: the report as a form. Every text from the template or the values is put into
// the page with textContent or as an input's value, never as HTML.
"use strict";

(() => {
  const token = document.querySelector('meta[name="drafter-token"]').content;
  const $ = (id) => document.getElementById(id);
  const state = {
    fields: new Map(),   // key → field info from the schema (a list's columns too: 组.名称.列)
    inputs: new Map(),   // key → its input; a list's cell is keyed as its problems are: 组.名称第3项.列
    info: new Map(),     // key of an input → the field it fills (a cell: its column)
    owner: new Map(),    // key of an input → the variable it belongs to (a cell: its list)
    lists: new Map(),    // list variable → {field, views: the table rows showing its items}
    mirrors: new Map(),  // key → the other places the variable is printed
    alerts: new Map(),   // key → the role="alert" element next to its input
    groups: new Map(),   // group → its entry in the side index
    order: [],           // inputs in the order of the text
    made: 0,             // inputs made so far: their ids
    top: [],             // the template's variables (a list counts once)
    values: {},          // variable → text; a list → null (not filled in) or its items (column → text)
    version: "",
    dirty: false,
    problems: [],
    sequence: 0,
    timer: 0,
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const OFFLINE = "连接不上 drafter serve：它是不是已经停止了？重新启动后刷新本页（未保存的内容会丢失，可先复制出来）。";

  // Return the server's answer, or null (and say so) when the server cannot be reached.
  async function post(path, body) {
    try {
      return await fetch(path, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-Drafter-Token": token},
        body: JSON.stringify(body),
      });
    } catch {
      notice(OFFLINE, "error");
      return null;
    }
  }

  async function answer(response) {
    try {
      return await response.json();
    } catch {
      return {message: `服务器没有给出说明（HTTP ${response.status}）。`};
    }
  }

  function notice(text, kind) {
    const box = $("notice");
    box.textContent = text;
    box.className = kind || "";
  }

  // Width of a text in em: a Chinese character is one em, a figure or Latin letter about half.
  function measure(text) {
    let width = 0;
    for (const char of text) width += char >= "\u2e80" || "“”‘’—…·".includes(char) ? 1 : 0.56;
    return width;
  }

  function fit(input) {
    const shown = input.value || input.placeholder;
    const cap = input.value ? 30 : 10;
    input.style.width = `${Math.min(Math.max(measure(shown) + 0.8, 2.5), cap)}em`;
  }

  // The blank of `piece`: an input where the variable is filled in, a mirror elsewhere. In a
  // list's row, `item` is {list, index}: the piece's column (组.名称.列) is the cell of that item.
  function blank(piece, item) {
    const field = state.fields.get(piece.key);
    let key = piece.key;
    let label = field.label;
    if (item && field.key.startsWith(`${item.list}.`)) {
      key = cellKey(item.list, item.index, field.key.slice(item.list.length + 1));
      label = `${field.label}（第 ${item.index + 1} 项）`;
    }
    if (!piece.first) {
      const mirror = el("span", "mirror");
      mirror.dataset.key = key;
      mirror.title = `${label}（在${key === piece.key ? "前文" : "表格的清单中"}填写）`;
      mirror.addEventListener("click", () => go(state.inputs.get(key)));
      if (!state.mirrors.has(key)) state.mirrors.set(key, []);
      state.mirrors.get(key).push(mirror);
      if (state.inputs.has(key)) paint(mirror, key);  // a list's row, made after the input
      return mirror;
    }
    const index = state.made++;
    const input = el("input");
    input.type = "text";
    input.name = key;
    input.id = `f-${index}`;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.placeholder = field.label;
    input.title = field.describe;
    input.setAttribute("aria-label", label);
    const alert = el("span", "msg");
    alert.id = `m-${index}`;
    alert.setAttribute("role", "alert");
    input.setAttribute("aria-describedby", alert.id);
    input.commit = item
      ? () => { state.values[item.list][item.index][field.key.slice(item.list.length + 1)] = input.value; }
      : () => { state.values[key] = input.value; };
    // With a Chinese input method the field holds pinyin until a word is chosen: check the word.
    input.addEventListener("input", (event) => {
      if (!event.isComposing) typed(key);
    });
    input.addEventListener("compositionend", () => typed(key));
    input.addEventListener("focus", () => inform(field, item));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        step(input, event.shiftKey ? -1 : 1);
      }
    });
    state.inputs.set(key, input);
    state.alerts.set(key, alert);
    state.info.set(key, field);
    state.owner.set(key, item ? item.list : key);
    if (!state.mirrors.has(key)) state.mirrors.set(key, []);
    const wrap = el("span", "blank");
    wrap.append(input);
    if (piece.unit) wrap.append(el("span", "unit", piece.unit));
    wrap.append(alert);
    return wrap;
  }

  // An item of a list: column → text, in an object without a prototype, so that a column named
  // like one of Object's own properties (__proto__) is an ordinary key.
  function record(item) {
    return Object.assign(Object.create(null), item);
  }

  function cellKey(list, index, column) {
    return `${list}第${index + 1}项.${column}`;
  }

  function fill(node, pieces, item) {
    for (const piece of pieces) node.append(piece.key ? blank(piece, item) : document.createTextNode(piece.text));
  }

  // A table of the report: fixed rows as the template writes them, and for each list one
  // section whose rows are its items, filled in again whenever an item is added or removed.
  function table(item) {
    const figure = el("figure", item.table.rows.some((row) => row.editor) ? "table editable" : "table");
    if (item.pieces.length) {
      const caption = el("figcaption");
      fill(caption, item.pieces);
      figure.append(caption);
    }
    const model = item.table;
    if (model.shared.length) {
      const shared = el("p", "shared", "表中各行共用：");
      for (const key of model.shared) {
        shared.append(`${state.fields.get(key).label} `, blank({key, first: true, unit: state.fields.get(key).unit}), " ");
      }
      figure.append(shared);
    }
    const node = el("table");
    const columns = model.widths.length;
    const total = model.widths.reduce((a, b) => a + b, 0);
    const group = el("colgroup");
    for (const width of model.widths) {
      const col = el("col");
      col.style.width = `${(100 * width / total).toFixed(2)}%`;
      group.append(col);
    }
    node.append(group);
    let section = null;
    for (const row of model.rows) {
      if (row.header) {
        if (!node.tHead) node.createTHead();
        node.tHead.append(fixedRow(row, "th"));
        continue;
      }
      if (row.repeat) {
        const body = node.appendChild(el("tbody", row.editor ? "list editor" : "list"));
        state.lists.get(row.repeat).views.push({row, body, columns, editor: row.editor});
        section = null;
        continue;
      }
      section = section || node.appendChild(el("tbody"));
      section.append(fixedRow(row, "td"));
    }
    figure.append(node);
    return figure;
  }

  function cell(tag, model, item) {
    const node = el(tag, `a-${model.align}`);
    if (model.span > 1) node.colSpan = model.span;
    if (model.rows > 1) node.rowSpan = model.rows;
    fill(node, model.pieces, item);
    return node;
  }

  function fixedRow(row, tag) {
    const tr = el("tr");
    for (const model of row.cells) if (model.rows > 0) tr.append(cell(tag, model));
    return tr;
  }

  function button(text, label, action) {
    const node = el("button", "", text);
    node.type = "button";
    if (label) node.setAttribute("aria-label", label);
    node.addEventListener("click", action);
    return node;
  }

  // Fill the rows of `list` in every table showing it; its editable row gets inputs and buttons.
  function renderList(list) {
    const entry = state.lists.get(list);
    const items = state.values[list];
    for (const key of [...state.inputs.keys()]) {
      if (state.owner.get(key) === list && key !== list) {
        state.inputs.delete(key);
        state.alerts.delete(key);
        state.info.delete(key);
        state.owner.delete(key);
      }
    }
    for (const key of [...state.mirrors.keys()]) if (key.startsWith(`${list}第`)) state.mirrors.delete(key);
    const label = entry.field.label;
    for (const view of entry.views) {
      const rows = [];
      if (items === null || items.length === 0) {
        const tr = el("tr", "empty");
        const td = tr.appendChild(el("td", "a-center"));
        td.colSpan = view.columns;
        if (items === null) {
          td.append(el("span", "missing", `【${label}】`), el("span", "note", "（未填写）"));
        } else if (entry.field.empty === "省略") {
          td.append(el("span", "note", `（没有${label}：文档中不印这一行）`));
        } else {
          td.textContent = entry.field.empty;
        }
        rows.push(tr);
      }
      (items || []).forEach((values, index) => {
        const tr = el("tr", "item");
        for (const model of view.row.cells) tr.append(cell("td", model, {list, index}));
        if (view.editor) {  // beside the row, outside the table, as the document has no such column
          const tools = tr.lastElementChild.appendChild(el("span", "tools"));
          tools.append(button("删除", `删除第 ${index + 1} 项${label}`, () => removeItem(list, index)));
        }
        rows.push(tr);
      });
      if (view.editor) {
        const tr = el("tr", "adder");
        const td = tr.appendChild(el("td"));
        td.colSpan = view.columns;
        const add = button(`＋ 添加一项${label}`, "", () => addItem(list));
        add.classList.add("add-item");
        add.dataset.list = list;
        td.append(add);
        if (items === null) {
          td.append(" ", button(`没有${label}`, `没有${label}（清单为空）`, () => {
            state.values[list] = [];
            changed(list);
            focusAdd(list);
          }));
        }
        const alert = el("span", "msg");
        alert.setAttribute("role", "alert");
        td.append(alert);
        entry.add = add;
        entry.alert = alert;
        rows.push(tr);
      }
      view.body.replaceChildren(...rows);
    }
    (items || []).forEach((values, index) => {
      for (const [column, value] of Object.entries(values)) {
        const key = cellKey(list, index, column);
        const input = state.inputs.get(key);
        if (input) {
          input.value = value;
          show(key);
        }
      }
    });
    state.order = [...$("report").querySelectorAll("input")];
  }

  // Where variable `key` is filled in: its input; for a list, its first cell or its add button.
  function place(key) {
    const entry = state.lists.get(key);
    if (!entry) return state.inputs.get(key);
    const column = entry.field.columns[0].key.split(".").pop();
    return state.inputs.get(cellKey(key, 0, column)) || entry.add;
  }

  function focusAdd(list) {
    go(state.lists.get(list).add);
  }

  function addItem(list) {
    const columns = state.lists.get(list).field.columns;
    const empty = record(Object.fromEntries(columns.map((c) => [c.key.split(".").pop(), ""])));
    state.values[list] = [...(state.values[list] || []), empty];
    changed(list);
    const index = state.values[list].length - 1;
    go(state.inputs.get(cellKey(list, index, columns[0].key.split(".").pop())) || state.lists.get(list).add);
  }

  function removeItem(list, index) {
    const items = state.values[list];
    state.values[list] = items.filter((_, at) => at !== index);
    changed(list);
    const columns = state.lists.get(list).field.columns;
    const after = Math.min(index, state.values[list].length - 1);
    go(after >= 0 ? state.inputs.get(cellKey(list, after, columns[0].key.split(".").pop())) : state.lists.get(list).add);
    notice(`已删除第 ${index + 1} 项${state.lists.get(list).field.label}（保存后写入文件）。`, "ok");
  }

  function changed(list) {
    renderList(list);
    // The items' problems name them by number, which has just changed: the check re-sends them.
    apply(state.problems.filter((problem) => !problem.key.startsWith(`${list}第`)));
    touched();
  }

  function paragraph(item) {
    if (item.table) return table(item);
    let tag = "p";
    if (item.kind === "title") tag = "h1";
    else if (item.heading) tag = item.kind === "h1" ? "h2" : "h3";
    const node = el(tag, `k-${item.kind}`);
    let lead = null;
    for (const piece of item.pieces) {
      let target = node;
      if (piece.lead && !item.heading) {
        lead = lead || node.appendChild(el("span", "lead"));
        target = lead;
      }
      fill(target, [piece]);
    }
    return node;
  }

  function build(model) {
    state.top = model.fields;
    for (const field of model.fields) {
      state.fields.set(field.key, field);
      for (const column of field.columns || []) state.fields.set(column.key, column);
      if (field.type === "records") state.lists.set(field.key, {field, views: []});
    }
    document.title = `${model.title}：填写`;
    $("file").textContent = model.file;
    $("saved").textContent = model.exists ? "" : "（新文件，尚未保存）";
    state.version = model.version;
    const report = $("report");
    report.replaceChildren(...model.paragraphs.map(paragraph));
    if (model.file_problems.length) {
      const box = el("section", "file-problems");
      box.append(el("strong", "", "取值文件中有模板用不上的项（保存时不会写入）："));
      const list = el("ul");
      for (const text of model.file_problems) list.append(el("li", "", text));
      box.append(list);
      report.prepend(box);
    }
    const index = $("index");
    index.append(el("h2", "", "分组"));
    for (const group of model.groups) {
      const first = model.fields.find((field) => field.group === group.key);
      if (!first) continue;
      const button = el("button", "group");
      button.type = "button";
      button.append(el("span", "name", group.label), el("span", "tally"));
      button.addEventListener("click", () => go(place(first.key)));
      state.groups.set(group.key, button);
      index.append(button);
    }
    for (const [key, input] of state.inputs) {
      input.value = model.values[key] || "";
      state.values[key] = input.value;
      show(key);
    }
    for (const list of state.lists.keys()) {
      const items = model.values[list];
      state.values[list] = Array.isArray(items) ? items.map(record) : null;
      renderList(list);
    }
    state.order = [...report.querySelectorAll("input")];
  }

  function show(key) {
    const input = state.inputs.get(key);
    const value = input.value;
    fit(input);
    input.classList.toggle("missing", !value.trim());
    for (const mirror of state.mirrors.get(key) || []) paint(mirror, key);
  }

  function paint(mirror, key) {
    const value = state.inputs.get(key).value;
    mirror.textContent = value.trim() ? value : `【${state.info.get(key).label}】`;
    mirror.classList.toggle("missing", !value.trim());
  }

  function typed(key) {
    state.inputs.get(key).commit();
    show(key);
    touched();
  }

  function touched() {
    state.dirty = true;
    $("saved").textContent = "（有未保存的修改）";
    clearTimeout(state.timer);
    state.timer = setTimeout(check, 250);
  }

  function inform(field, item) {
    const info = $("info");
    const parts = item ? [`${state.lists.get(item.list).field.label}第 ${item.index + 1} 项`, field.type_label]
      : [field.type_label];
    if (field.unit) parts.push(`单位：${field.unit}`);
    parts.push(`应填${field.expected}`);
    if (field.example) parts.push(`例：${field.example}`);
    info.replaceChildren(el("strong", "", field.label), el("span", "", ` ｜ ${parts.join(" ｜ ")}`),
      el("span", "key", `（${field.key}）`));
  }

  async function check() {
    const mine = ++state.sequence;
    const response = await post("/api/check", {values: state.values});
    if (!response) return;
    const body = await answer(response);
    if (mine !== state.sequence) return;  // a newer check is on its way
    if (!response.ok) {
      notice(body.message, "error");
      return;
    }
    apply(body.problems);
  }

  function apply(problems) {
    state.problems = problems;
    const said = new Map();
    const level = new Map();
    const involved = new Set();
    const missing = new Set();
    const listSaid = new Map();
    for (const problem of problems) {
      if (state.lists.has(problem.key)) {  // the list itself: not filled in, or not a list
        if (problem.code === "missing") missing.add(problem.key);
        else listSaid.set(problem.key, `${problem.message}${problem.hint ? ` ${problem.hint}` : ""}`);
        continue;
      }
      if (!state.inputs.has(problem.key)) continue;
      if (problem.code === "missing") {
        missing.add(problem.key);
        continue;
      }
      const prefix = problem.level === "error" ? "" : "请核对：";
      const text = `${prefix}${problem.message}${problem.hint ? ` ${problem.hint}` : ""}`;
      said.set(problem.key, [...(said.get(problem.key) || []), text]);
      if (level.get(problem.key) !== "error") level.set(problem.key, problem.level === "error" ? "error" : "warning");
      for (const key of problem.related) if (key !== problem.key) involved.add(key);
    }
    let errors = 0;
    let warnings = 0;
    for (const [list, entry] of state.lists) {
      if (!entry.add) continue;
      entry.add.classList.toggle("missing", missing.has(list));
      const text = listSaid.get(list) || "";
      if (entry.alert.textContent !== text) entry.alert.textContent = text;
      entry.alert.className = `msg ${text ? "error" : ""}`;
      if (text) errors += 1;
    }
    for (const [key, input] of state.inputs) {
      const text = (said.get(key) || []).join("；");
      const alert = state.alerts.get(key);
      if (alert.textContent !== text) alert.textContent = text;
      const kind = level.get(key);
      alert.className = `msg ${kind || ""}`;
      input.classList.toggle("error", kind === "error");
      input.classList.toggle("warning", kind === "warning");
      input.classList.toggle("involved", involved.has(key));
      input.setAttribute("aria-invalid", kind === "error" ? "true" : "false");
      if (kind === "error") errors += 1;
      if (kind === "warning") warnings += 1;
    }
    const parts = [];
    if (errors) parts.push(`错误 ${errors} 处`);
    if (warnings) parts.push(`请核对 ${warnings} 处`);
    if (missing.size) parts.push(`未填 ${missing.size} 项`);
    const count = $("count");
    count.textContent = parts.length ? parts.join(" · ") : `全部 ${state.inputs.size} 项已填写，检查通过`;
    count.className = errors ? "error" : warnings ? "warning" : missing.size ? "missing" : "ok";
    $("next").disabled = !parts.length;
    for (const [group, button] of state.groups) {
      const keys = state.top.filter((field) => field.group === group).map((field) => field.key);
      const filled = keys.filter((key) => (state.lists.has(key) ? state.values[key] !== null : state.values[key].trim())).length;
      const wrong = [...state.inputs.keys()].filter((key) => state.fields.get(state.owner.get(key)).group === group && level.get(key) === "error").length;
      button.querySelector(".tally").textContent = `${filled}/${keys.length}${wrong ? `，错 ${wrong}` : ""}`;
      button.classList.toggle("error", wrong > 0);
    }
  }

  function go(input) {
    if (!input) return;
    input.focus();
    input.scrollIntoView({block: "center"});
  }

  function step(input, direction) {
    const at = state.order.indexOf(input);
    go(state.order[at + direction]);
  }

  function next() {
    const all = [...$("report").querySelectorAll("input, button.add-item")];
    const flagged = all.filter((node) => node.classList.contains("error") || node.classList.contains("warning"));
    const pool = flagged.length ? flagged : all.filter((node) => node.classList.contains("missing"));
    if (!pool.length) return;
    const at = all.indexOf(document.activeElement);
    go(pool.find((node) => all.indexOf(node) > at) || pool[0]);
  }

  async function save(overwrite) {
    const response = await post("/api/save", {values: state.values, version: state.version, overwrite});
    if (!response) return;
    const body = await answer(response);
    if (response.status === 409 && body.conflict) {
      if (window.confirm(`${body.message}\n${body.hint}\n\n仍然用本页的内容覆盖吗？`)) return save(true);
      notice("没有保存。刷新本页可载入文件现在的内容（本页未保存的修改会丢失）。", "warning");
      return;
    }
    if (!response.ok) {
      notice(`没有保存：${body.message}`, "error");
      return;
    }
    state.version = body.version;
    state.dirty = false;
    $("file").textContent = body.file;
    const time = new Date().toLocaleTimeString("zh-CN", {hour12: false});
    $("saved").textContent = `（${time} 已保存）`;
    notice(`已保存到 ${body.file}`, "ok");
  }

  function download(blob, name) {
    const link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  async function render(draft) {
    notice("正在生成文档……");
    const response = await post("/api/render", {values: state.values, draft});
    if (!response) return;
    if (response.ok) {
      const name = draft ? "报告-草稿.docx" : "报告.docx";
      download(await response.blob(), name);
      notice(`已生成 ${name}，请在浏览器的下载中打开。${draft ? "缺的项在文档中以黄色【说明】标出。" : ""}`, "ok");
      return;
    }
    const body = await answer(response);
    if (response.status === 409 && body.missing) {
      if (window.confirm(`${body.message}\n${body.hint}\n\n生成草稿吗？`)) return render(true);
      notice(`${body.message}点“下一处”逐项填写。`, "warning");
      return;
    }
    if (body.problems) apply(body.problems);
    notice(`${body.message}${body.hint ? ` ${body.hint}` : ""}`, "error");
    if (body.problems) next();
  }

  async function preview() {
    const button = $("preview");
    button.disabled = true;
    notice("正在用 LibreOffice 排版，需要几秒钟……");
    try {
      const response = await post("/api/preview", {values: state.values});
      if (!response) return;
      const body = await answer(response);
      if (!response.ok) {
        if (body.problems) apply(body.problems);
        notice(`${body.message}${body.hint ? ` ${body.hint}` : ""}`, "error");
        return;
      }
      const images = $("page-images");
      images.replaceChildren(...body.pages.map((source, index) => {
        const image = el("img");
        image.src = source;
        image.alt = `第 ${index + 1} 页`;
        return image;
      }));
      notice(`预览：共 ${body.pages.length} 页。`, "ok");
      $("pages").showModal();
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    let response;
    try {
      response = await fetch(`/api/form?token=${encodeURIComponent(token)}`);
    } catch {
      notice(OFFLINE, "error");
      return;
    }
    const body = await answer(response);
    if (!response.ok) {
      $("file").textContent = "无法载入";
      notice(`${body.message}${body.hint ? ` ${body.hint}` : ""}`, "error");
      for (const id of ["save", "render", "preview", "next"]) $(id).disabled = true;
      return;
    }
    build(body);
    apply(body.problems);
  }

  $("save").addEventListener("click", () => save(false));
  $("render").addEventListener("click", () => render(false));
  $("preview").addEventListener("click", preview);
  $("next").addEventListener("click", next);
  $("count").addEventListener("click", next);
  $("close-preview").addEventListener("click", () => $("pages").close());
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save(false);
    } else if (event.key === "F8") {
      event.preventDefault();
      next();
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });
  load();
})();
