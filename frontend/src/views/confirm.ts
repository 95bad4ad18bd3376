// A yes/no question over the page (Colab asks before a restart): OK or Enter confirms,
// Cancel, Esc or a click outside answers no. Resolves once, with the answer.
import { h } from "./dom";
import { Modal } from "./modal";

export interface Question {
  title: string;
  message: string;
  ok?: string;
  cancel?: string;
}

export function confirmDialog(q: Question): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const modal = new Modal(q.title, "confirm", () => resolve(answer));
    const ok = h("button", { type: "button", class: "confirm-ok", "data-testid": "confirm-ok" });
    ok.textContent = q.ok ?? "OK";
    const cancel = h("button", { type: "button", "data-testid": "confirm-cancel" });
    cancel.textContent = q.cancel ?? "Cancel";
    ok.addEventListener("click", () => ((answer = true), modal.close()));
    cancel.addEventListener("click", () => modal.close());
    modal.box.setAttribute("data-testid", "confirm-dialog");
    modal.box.append(
      h("h2", { class: "confirm-title" }, q.title),
      h("p", { class: "confirm-message" }, q.message),
      h("div", { class: "confirm-buttons" }, cancel, ok),
    );
    ok.focus();
  });
}
