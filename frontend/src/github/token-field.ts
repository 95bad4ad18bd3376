// The git host token, stored once for the user (encrypted; never shown again).
import { api } from "../api";
import type { GitTokenState } from "../api-types";
import { h } from "../views/dom";
import { hostName } from "./links";

export function tokenField(onChange: (stored: boolean) => void = () => {}): HTMLElement {
  const state = h("span", { class: "muted", "data-testid": "github-token-state" });
  const input = h("input", {
    type: "password",
    autocomplete: "off",
    placeholder: "Personal access token",
    "aria-label": `${hostName()} access token`,
    "data-testid": "github-token",
  });
  const store = h("button", { type: "button", "data-testid": "github-token-store" }, "Store token");
  const remove = h("button", { type: "button" }, "Remove");
  const show = (stored: boolean) => {
    state.textContent = stored
      ? "A token is stored (encrypted)."
      : "No token stored: public repositories can be read; saving needs a token.";
    remove.hidden = !stored;
    onChange(stored);
  };
  store.addEventListener("click", async () => {
    if (!input.value.trim()) return;
    try {
      await api("PUT", "/api/me/credentials/github", { token: input.value.trim() });
      input.value = "";
      show(true);
    } catch (e) {
      state.textContent = e instanceof Error ? e.message : "Could not store the token.";
    }
  });
  remove.addEventListener("click", async () => {
    await api("DELETE", "/api/me/credentials/github");
    show(false);
  });
  void api<GitTokenState>("GET", "/api/me/credentials/github").then(
    (s) => show(s.stored),
    () => show(false),
  );
  return h("div", { class: "github-token" }, state, h("div", { class: "row" }, input, store, remove));
}
