// A scratch copy (a notebook opened from GitHub) is never saved on its own: edits and
// runs live in the page until the user saves a copy in the drive, as on Colab.
import { Saver } from "../views/saver";
import { hostName } from "./links";

export class ScratchSaver extends Saver {
  private edited = false;

  constructor(
    content: () => Record<string, unknown>,
    private readonly labelEl: HTMLElement,
  ) {
    super("", 0, content, labelEl, () => {});
    this.labelEl.textContent = `Copy from ${hostName()}: not saved`;
  }

  override changed(): void {
    this.edited = true;
    this.onChange();
    this.labelEl.textContent = "Changes not saved";
  }

  override async flush(): Promise<void> {}

  /** Leaving the page does not ask: nothing was promised to be kept (Colab's way). */
  override pending(): boolean {
    return false;
  }

  get wasEdited(): boolean {
    return this.edited;
  }
}
