// The permission dialog for a notebook reading a secret. One dialog at a time: several
// cells (or several keys) asking at once are asked in turn.
import { h } from "../views/dom";
import "./secrets.css";

let queue: Promise<unknown> = Promise.resolve();

function show(key: string): Promise<boolean> {
  return new Promise((resolve) => {
    const grant = h("button", { class: "primary", "data-testid": "secret-grant" }, "Grant access");
    const deny = h("button", { "data-testid": "secret-deny" }, "Deny");
    const title = h("h2", { id: "secret-prompt-title" }, `Grant access to ${key}?`);
    const dialog = h(
      "div",
      {
        class: "secret-prompt",
        role: "dialog",
        "aria-modal": "true",
        "aria-labelledby": "secret-prompt-title",
        "data-testid": "secret-prompt",
      },
      title,
      h(
        "p",
        {},
        "This notebook is asking for your secret ",
        h("code", {}, key),
        ". If you grant access, code in this notebook can read its value; " +
          "you can turn access off again in the Secrets panel.",
      ),
      h("div", { class: "secret-prompt-buttons" }, deny, grant),
    );
    const backdrop = h("div", { class: "secret-prompt-backdrop" }, dialog);
    const done = (granted: boolean) => {
      document.removeEventListener("keydown", onKey, true);
      backdrop.remove();
      resolve(granted);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        done(false);
      }
    };
    grant.addEventListener("click", () => done(true));
    deny.addEventListener("click", () => done(false));
    document.addEventListener("keydown", onKey, true);
    document.body.append(backdrop);
    grant.focus();
  });
}

/** Asks the viewer whether this notebook may read secret `key`. */
export function askGrant(key: string): Promise<boolean> {
  const next = queue.then(() => show(key));
  queue = next.catch(() => undefined);
  return next;
}
