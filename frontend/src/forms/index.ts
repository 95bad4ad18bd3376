// Colab's form annotations (#@title, #@markdown, #@param): parse and rewrite.
// The server (cloudbook/forms/) implements the same rules; tests/forms/corpus.json is the
// shared set of cases both must answer alike. See docs/forms.md.

export { parseCell, splitLines } from "./parse";
export { coerceCliValue, formatValue, rewriteValue } from "./rewrite";
export { formatLiteral, formatNumber, formatString, parseScalar, type PyValue, type Scalar } from "./literals";
export {
  FIELD_TYPES,
  FormValueError,
  formFields,
  isForm,
  type FieldType,
  type Form,
  type FormError,
  type FormField,
  type FormItem,
  type MarkdownItem,
  type TitleOptions,
} from "./model";
