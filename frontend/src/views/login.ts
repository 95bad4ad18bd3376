import { api, ApiError } from "../api";
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
  const form = h(
    "form",
    { class: "login" },
    h("h1", {}, "cloudbook"),
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
}
