// drafter serve: the report as a form. Every text from the template or the values is put into
// the page with textContent or as an input's value, never as HTML.
"use strict";

(() => {
  const token = document.querySelector('meta[name="drafter-token"]').content;
  const $ = (id) => document.getElementById(id);
  const state = {
    fields: new Map(),   // key → field info from the schema
    inputs: new Map(),   // key → its input
    mirrors: new Map(),  // key → the other places the variable is printed
    alerts: new Map(),   // key → the role="alert" element next to its input
    groups: new Map(),   // group → its entry in the side index
    order: [],           // inputs in the order of the text
    values: {},
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

  function blank(piece) {
    const field = state.fields.get(piece.key);
    if (!piece.first) {
      const mirror = el("span", "mirror");
      mirror.dataset.key = piece.key;
      mirror.title = `${field.label}（在前文填写）`;
      mirror.addEventListener("click", () => state.inputs.get(piece.key).focus());
      state.mirrors.get(piece.key).push(mirror);
      return mirror;
    }
    const index = state.order.length;
    const input = el("input");
    input.type = "text";
    input.name = piece.key;
    input.id = `f-${index}`;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.placeholder = field.label;
    input.title = field.describe;
    input.setAttribute("aria-label", field.label);
    const alert = el("span", "msg");
    alert.id = `m-${index}`;
    alert.setAttribute("role", "alert");
    input.setAttribute("aria-describedby", alert.id);
    // With a Chinese input method the field holds pinyin until a word is chosen: check the word.
    input.addEventListener("input", (event) => {
      if (!event.isComposing) typed(piece.key);
    });
    input.addEventListener("compositionend", () => typed(piece.key));
    input.addEventListener("focus", () => inform(field));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        step(input, event.shiftKey ? -1 : 1);
      }
    });
    state.inputs.set(piece.key, input);
    state.alerts.set(piece.key, alert);
    state.order.push(input);
    const wrap = el("span", "blank");
    wrap.append(input);
    if (piece.unit) wrap.append(el("span", "unit", piece.unit));
    wrap.append(alert);
    return wrap;
  }

  function paragraph(item) {
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
      target.append(piece.key ? blank(piece) : document.createTextNode(piece.text));
    }
    return node;
  }

  function build(model) {
    for (const field of model.fields) {
      state.fields.set(field.key, field);
      state.mirrors.set(field.key, []);
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
      button.addEventListener("click", () => go(state.inputs.get(first.key)));
      state.groups.set(group.key, button);
      index.append(button);
    }
    for (const [key, input] of state.inputs) {
      input.value = model.values[key] || "";
      state.values[key] = input.value;
      show(key);
    }
  }

  function show(key) {
    const input = state.inputs.get(key);
    const value = input.value;
    fit(input);
    input.classList.toggle("missing", !value.trim());
    for (const mirror of state.mirrors.get(key)) {
      mirror.textContent = value.trim() ? value : `【${state.fields.get(key).label}】`;
      mirror.classList.toggle("missing", !value.trim());
    }
  }

  function typed(key) {
    state.values[key] = state.inputs.get(key).value;
    show(key);
    state.dirty = true;
    $("saved").textContent = "（有未保存的修改）";
    clearTimeout(state.timer);
    state.timer = setTimeout(check, 250);
  }

  function inform(field) {
    const info = $("info");
    const parts = [field.type_label];
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
    for (const problem of problems) {
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
      const keys = [...state.inputs.keys()].filter((key) => state.fields.get(key).group === group);
      const filled = keys.filter((key) => state.values[key].trim()).length;
      const wrong = keys.filter((key) => level.get(key) === "error").length;
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
    const flagged = state.order.filter((input) => input.classList.contains("error") || input.classList.contains("warning"));
    const pool = flagged.length ? flagged : state.order.filter((input) => input.classList.contains("missing"));
    if (!pool.length) return;
    const at = state.order.indexOf(document.activeElement);
    go(pool.find((input) => state.order.indexOf(input) > at) || pool[0]);
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
