import { api, ApiError } from "../api";
import type { ProvidersOut } from "../api-types";
import { h } from "./dom";

export function renderLogin(root: HTMLElement, onDone: () => void): void {
  const error = h("p", { class: "error", role: "alert" });
  const name = h("input", { name: "name", autocomplete: "username", required: true });
  const password = h("input", {
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const sso = h("div", { class: "login-sso", hidden: true });
  const form = h(
    "form",
    { class: "login" },
    h("h1", {}, "cloudbook"),
    sso,
    h("label", {}, "User name", name),
    h("label", {}, "Password", password),
    h("button", { type: "submit", class: "primary" }, "Log in"),
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    api("POST", "/api/auth/login", { name: name.value, password: password.value })
      .then(onDone)
      .catch((e: unknown) => {
        error.textContent = e instanceof ApiError ? e.message : "Could not log in.";
      });
  });
  root.replaceChildren(form);
  name.focus();
  void offerSingleSignOn(sso);
}

/** "Sign in with ..." when the service has OpenID Connect set up; back here afterwards. */
async function offerSingleSignOn(sso: HTMLElement): Promise<void> {
  let providers: ProvidersOut;
  try {
    providers = await api<ProvidersOut>("GET", "/api/auth/providers");
  } catch {
    return;
  }
  if (!providers.oidc) return;
  const next = location.pathname + location.search;
  const href = `${providers.oidc.login_url}?next=${encodeURIComponent(next)}`;
  const link = h(
    "a",
    { class: "button sso", href, "data-testid": "oidc-login" },
    `Sign in with ${providers.oidc.display_name}`,
  );
  sso.replaceChildren(link, h("p", { class: "muted" }, "or with a user name and password"));
  sso.hidden = false;
}
