// File → Save a copy as a GitHub Gist: a new gist, or an update of one saved before.
import "./github.css";

import { api } from "../api";
import type { GistOut } from "../api-types";
import { h } from "../views/dom";
import { Modal } from "../views/modal";
import { tokenField } from "./token-field";
import { gitHost, hostName } from "./links";

export function openSaveGist(notebookId: string, name: string): Modal {
  const key = `cloudbook.gist.${notebookId}`;
  const title = `Save a copy as a ${hostName()} ${gitHost.gists}`;
  const modal = new Modal(title, "github-dialog");
  const description = h("input", { value: name, "data-testid": "gist-description" });
  const pub = h("input", { type: "checkbox" });
  const previous = localStorage.getItem(key);
  const update = h("input", { type: "checkbox", checked: Boolean(previous) });
  const status = h("p", { class: "status", role: "status", "data-testid": "gist-status" });
  const ok = h("button", { type: "button", class: "primary", "data-testid": "gist-save" }, "OK");
  ok.addEventListener("click", async () => {
    ok.disabled = true;
    try {
      const out = await api<GistOut>(
        "POST",
        `/api/notebooks/${encodeURIComponent(notebookId)}/gist`,
        {
          gist_id: update.checked ? previous : null,
          description: description.value,
          public: pub.checked,
        },
      );
      localStorage.setItem(key, out.id);
      status.replaceChildren("Saved: ", h("a", { href: out.url, target: "_blank", rel: "noopener" }, out.url));
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : "Could not save.";
    } finally {
      ok.disabled = false;
    }
  });
  const cancel = h("button", { type: "button" }, "Close");
  cancel.addEventListener("click", () => modal.close());
  modal.box.append(
    h("h2", {}, title),
    tokenField(),
    h("label", { class: "field" }, h("span", {}, "Description"), description),
    h("label", { class: "check" }, pub, " Public gist"),
    ...(previous ? [h("label", { class: "check" }, update, ` Update the gist saved before (${previous})`)] : []),
    status,
    h("div", { class: "buttons" }, cancel, ok),
  );
  description.focus();
  return modal;
}
