// The permission dialog for a notebook reading a secret. One dialog at a time: several
// cells (or several keys) asking at once are asked in turn.
import { h } from "../views/dom";
import "./secrets.css";

let queue: Promise<unknown> = Promise.resolve();

/** What the dialog says: its title and the explanation below it. */
interface Question {
  title: string;
  body: (string | HTMLElement)[];
}

function show(question: Question): Promise<boolean> {
  return new Promise((resolve) => {
    const grant = h("button", { class: "primary", "data-testid": "secret-grant" }, "Grant access");
    const deny = h("button", { "data-testid": "secret-deny" }, "Deny");
    const title = h("h2", { id: "secret-prompt-title" }, question.title);
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
      h("p", {}, ...question.body),
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
  return ask({
    title: `Grant access to ${key}?`,
    body: [
      "This notebook is asking for your secret ",
      h("code", {}, key),
      ". If you grant access, code in this notebook can read its value; " +
        "you can turn access off again in the Secrets panel.",
    ],
  });
}

/** Asks the viewer whether this notebook's runtime may act with their Google credentials
 * (`auth.authenticate_user()`), as Colab asks. Asked at every request: not remembered. */
export function askGoogleAuth(): Promise<boolean> {
  return ask({
    title: "Permit this notebook to access your Google credentials?",
    body: [
      "Code in this notebook asked to authenticate (",
      h("code", {}, "auth.authenticate_user()"),
      "). If you allow it, the runtime gets the Google credentials you stored in the " +
        "Secrets panel and can act as that account (for example, run BigQuery queries). " +
        "Review the notebook's code before allowing.",
    ],
  });
}

function ask(question: Question): Promise<boolean> {
  const next = queue.then(() => show(question));
  queue = next.catch(() => undefined);
  return next;
}
