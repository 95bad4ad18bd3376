// "Publish to the web": a read-only page of the notebook as saved, at a stable,
// unguessable URL that anyone can open without signing in. The service decides who may
// publish (the owner) and renders the page (services/publishing.py); this only asks it.
import "./publish.css";

import { api, ApiError } from "../api";
import type { PublishOut } from "../api-types";
import { h } from "../views/dom";
import { Modal } from "../views/modal";

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "";
}

export function openPublishDialog(notebookId: string, flush: () => Promise<unknown>): Modal {
  const modal = new Modal("Publish to the web", "publish-dialog");
  const url = `/api/notebooks/${encodeURIComponent(notebookId)}/publish`;
  const body = h("div", { class: "publish-body", "data-testid": "publish-body" });
  const errorEl = h("p", { class: "publish-error", role: "alert", "data-testid": "publish-error", hidden: true });
  const done = h("button", { type: "button", "data-testid": "publish-done" }, "Done");
  done.addEventListener("click", () => modal.close());
  modal.box.append(
    h("h2", {}, "Publish to the web"),
    h(
      "p",
      { class: "publish-explain" },
      "Anyone with the link can read this notebook and its outputs as saved when you publish, " +
        "without signing in. Comments, secrets, your drive and runtimes are never part of it; " +
        "later changes appear when you republish.",
    ),
    body,
    errorEl,
    h("div", { class: "publish-foot" }, done),
  );

  const fail = (e: unknown) => {
    errorEl.hidden = false;
    errorEl.textContent = e instanceof ApiError || e instanceof Error ? e.message : "That did not work.";
  };
  const act = (method: string) => async () => {
    errorEl.hidden = true;
    try {
      if (method === "POST") await flush(); // publish what the page shows now
      await api(method, url);
      await paint();
    } catch (e) {
      fail(e);
    }
  };
  const button = (label: string, testid: string, run: () => void, primary = false) => {
    const b = h("button", { type: "button", "data-testid": testid, class: primary ? "primary" : "" }, label);
    b.addEventListener("click", run);
    return b;
  };

  async function paint(): Promise<void> {
    let state: PublishOut;
    try {
      state = await api<PublishOut>("GET", url);
    } catch (e) {
      fail(e);
      return;
    }
    if (!state.published || !state.url) {
      body.replaceChildren(
        h("p", { "data-testid": "publish-status" }, "Not published."),
        button("Publish", "publish-now", act("POST"), true),
      );
      return;
    }
    const link = state.url;
    const field = h("input", { type: "text", readonly: true, value: link, "aria-label": "Published link",
      "data-testid": "publish-link" });
    const copied = h("span", { class: "publish-copied", "data-testid": "publish-copied", "aria-live": "polite" });
    const copy = button("Copy link", "publish-copy", () => {
      field.select();
      navigator.clipboard
        ?.writeText(link)
        .then(() => (copied.textContent = "Link copied"))
        .catch(() => (copied.textContent = "Select the link and copy it"));
    });
    const open = h("a", { href: link, target: "_blank", rel: "noopener noreferrer", "data-testid": "publish-open" },
      "Open");
    const stale = (state.revision ?? 0) < state.current_revision;
    body.replaceChildren(
      h("p", { "data-testid": "publish-status" },
        `Published ${when(state.published_at)}` +
          (stale ? " — the notebook has changed since: republish to show the changes." : ".")),
      h("div", { class: "publish-row" }, field, copy, open),
      copied,
      h("div", { class: "publish-row" },
        button("Republish", "publish-again", act("POST")),
        button("Unpublish", "publish-stop", act("DELETE"))),
    );
  }
  void paint();
  return modal;
}
