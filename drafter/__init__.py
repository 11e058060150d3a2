"""drafter: fill a report template with a YAML values file and get a GB/T 9704 Word document."""

from .errors import DrafterError, Problem, TemplateError, ValuesError, ValuesFileError
from .template import Rendered, Template, load_template
from .values import Values, load_values

__version__ = "0.1.0"
__all__ = ["DrafterError", "Problem", "Rendered", "Template", "TemplateError", "Values", "ValuesError",
           "ValuesFileError", "load_template", "load_values", "__version__"]
