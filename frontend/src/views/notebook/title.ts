// The notebook's name in the toolbar, editable in place as in Colab: click (or Enter on
// it, or File → Rename) turns it into a field; Enter or leaving the field renames the
// file, Esc cancels. The name is the file's own; its folder stays.
import { ApiError } from "../../api";
import type { NotebookOut } from "../../api-types";
import { hostName } from "../../github/links";
import { h } from "../dom";
import { driveApi } from "../home/drive-api";
import { baseName, joinPath, notebookFileName, parentOf } from "../home/model";

export class NotebookTitle {
  readonly el = h("span", { class: "nb-title" });
  private readonly label = h("span", {
    class: "nb-name",
    role: "button",
    tabindex: "0",
    title: "Rename notebook",
    "data-testid": "notebook-name",
  });

  constructor(
    private id: string,
    private name: string,
    private renamed: (nb: NotebookOut) => void,
    private tell: (message: string) => void,
    private editable = true,
  ) {
    this.label.textContent = baseName(name);
    this.label.addEventListener("click", () => this.edit());
    this.label.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === "F2") {
        e.preventDefault();
        this.edit();
      }
    });
    this.el.append(this.label);
  }

  get fullName(): string {
    return this.name;
  }

  setName(name: string): void {
    this.name = name;
    this.label.textContent = baseName(name);
  }

  edit(): void {
    if (!this.label.isConnected) return;
    if (!this.editable) {
      this.tell(`This is a copy from ${hostName()}: use Save a copy in Drive to keep and name it.`);
      return;
    }
    const input = h("input", {
      type: "text",
      class: "nb-title-input",
      "aria-label": "Notebook name",
      "data-testid": "notebook-title-input",
    });
    input.value = baseName(this.name);
    let finished = false;
    const finish = async (commit: boolean) => {
      if (finished) return;
      finished = true;
      const typed = notebookFileName(input.value);
      if (commit && typed && typed !== baseName(this.name)) {
        try {
          const nb = await driveApi.rename(this.id, joinPath(parentOf(this.name), typed));
          this.setName(nb.name);
          this.renamed(nb);
        } catch (e) {
          this.tell(e instanceof ApiError ? `Could not rename: ${e.message}` : "Could not rename.");
        }
      } else if (commit && !typed) {
        this.tell("A notebook name cannot be empty or contain slashes.");
      }
      input.replaceWith(this.label);
      this.label.focus();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        void finish(true);
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        void finish(false);
      }
    });
    input.addEventListener("blur", () => void finish(true));
    this.label.replaceWith(input);
    input.focus();
    const dot = input.value.toLowerCase().endsWith(".ipynb") ? input.value.length - 6 : input.value.length;
    input.setSelectionRange(0, dot);
  }
}
