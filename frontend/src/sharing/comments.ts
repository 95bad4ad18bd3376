// Comments on cells: the Comments side panel (threads, replies, resolve/reopen,
// @mentions of people with access) and the comment count on each cell. Kept by the
// service (not in the .ipynb); every text is shown as text, never as markup.
import "./sharing.css";

import { api, ApiError } from "../api";
import type { SharesOut, ThreadList, ThreadOut } from "../api-types";
import { h } from "../views/dom";
import { ICONS } from "../views/icons";
import type { Panel } from "../views/sidebar";

export interface CommentHost {
  notebookId: string;
  canComment: boolean;
  /** Cell ids in page order (threads say "cell 3"). */
  cellIds(): string[];
  revealCell(id: string): void;
  openPanel(): void;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** The body as text nodes, the mentioned names (as the service found them) marked. */
function bodyNodes(body: string, mentions: string[]): (Node | string)[] {
  if (!mentions.length) return [body];
  const names = new Set(mentions);
  const out: (Node | string)[] = [];
  let last = 0;
  for (const m of body.matchAll(/(?<![\w@])@([A-Za-z0-9_.-]{1,64})/g)) {
    if (!names.has(m[1]!)) continue;
    out.push(body.slice(last, m.index));
    out.push(h("span", { class: "comment-mention", "data-testid": "comment-mention" }, m[0]));
    last = m.index! + m[0].length;
  }
  out.push(body.slice(last));
  return out;
}

let icon: DocumentFragment | null = null;

function commentIcon(): DocumentFragment {
  if (!icon) {
    const template = document.createElement("template");
    template.innerHTML = ICONS.comment;
    icon = template.content;
  }
  return icon;
}

export class CommentsPanel implements Panel {
  readonly id = "comments";
  readonly title = "Comments";
  readonly icon = ICONS.comment;
  readonly el = h("div", { class: "comments-panel", "data-testid": "comments-panel" });
  private threads: ThreadOut[] = [];
  private people: string[] = [];
  private errorEl = h("p", { class: "share-error", role: "alert", hidden: true });
  private listEl = h("div", { class: "comment-threads", "data-testid": "comment-threads" });
  private newEl = h("div", {});
  private showResolved = false;
  private badges = new Map<string, HTMLButtonElement>();
  private draft: { cellId: string; quote: string | null } | null = null;
  private forms = new Map<string, HTMLElement>();
  private refreshes = 0;

  constructor(private host: CommentHost) {
    const toggle = h("label", { class: "comment-actions" });
    const box = h("input", { type: "checkbox", "data-testid": "comments-show-resolved" });
    box.addEventListener("change", () => ((this.showResolved = box.checked), this.render()));
    toggle.append(box, "Show resolved");
    this.el.append(this.newEl, this.errorEl, toggle, this.listEl);
  }

  onShow(): void {
    void this.refresh();
  }

  private base(): string {
    return `/api/notebooks/${encodeURIComponent(this.host.notebookId)}`;
  }

  async refresh(): Promise<void> {
    // Only the newest refresh draws: an older one (the panel opening) can answer after
    // the one a reply started, and must not put the list back as it was.
    const generation = ++this.refreshes;
    try {
      const [list, shares] = await Promise.all([
        api<ThreadList>("GET", `${this.base()}/comments`),
        api<SharesOut>("GET", `${this.base()}/shares`),
      ]);
      if (generation !== this.refreshes) return;
      this.threads = list.threads;
      this.people = [shares.owner, ...shares.people.map((p) => p.user)];
      this.render();
    } catch (e) {
      this.fail(e);
    }
  }

  /** The comment button of a cell (made with each cell view). */
  badge(cellId: string, selection: () => string | null): HTMLButtonElement {
    const button = h("button", { type: "button", class: "cell-comment", "data-testid": "cell-comment",
      title: "Comments on this cell" });
    let quote: string | null = null;
    // Read the selection before the click moves the focus.
    button.addEventListener("mousedown", () => (quote = selection()));
    button.addEventListener("click", (e) => {
      e.stopPropagation();
      if (this.host.canComment) this.draft = { cellId, quote };
      this.host.openPanel();
      this.render();
    });
    this.badges.set(cellId, button);
    this.paintBadge(cellId);
    return button;
  }

  private paintBadge(cellId: string): void {
    const button = this.badges.get(cellId);
    if (!button) return;
    const open = this.threads.filter((t) => t.cell_id === cellId && !t.resolved).length;
    // Our own icon (parsed once: 500 cells' badges are painted as a notebook opens), then
    // the count as text.
    button.replaceChildren(
      commentIcon().cloneNode(true),
      h("span", { "data-testid": "cell-comment-count" }, open ? String(open) : ""),
    );
    button.classList.toggle("has-comments", open > 0);
    button.setAttribute("aria-label", open ? `${open} comment threads` : "Add a comment");
    button.hidden = !open && !this.host.canComment;
  }

  private fail(e: unknown): void {
    this.errorEl.textContent = e instanceof ApiError ? e.message : "Could not load comments.";
    this.errorEl.hidden = false;
  }

  private async attempt(work: () => Promise<unknown>): Promise<void> {
    this.errorEl.hidden = true;
    try {
      await work();
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  /** A form kept across re-renders (a refresh must not wipe what is being typed). */
  private form(
    key: string,
    placeholder: string,
    testid: string,
    send: (body: string) => Promise<unknown>,
  ): HTMLElement {
    const kept = this.forms.get(key);
    if (kept) return kept;
    const made = this.makeForm(placeholder, testid, send);
    this.forms.set(key, made);
    return made;
  }

  private makeForm(placeholder: string, testid: string, send: (body: string) => Promise<unknown>): HTMLElement {
    const text = h("textarea", { placeholder, "aria-label": placeholder, "data-testid": `${testid}-text` });
    const suggest = h("div", { class: "comment-actions comment-suggest", "data-testid": "mention-suggestions" });
    text.addEventListener("input", () => {
      const m = /@([A-Za-z0-9_.-]*)$/.exec(text.value.slice(0, text.selectionStart));
      suggest.replaceChildren();
      if (!m) return;
      for (const name of this.people.filter((p) => p.toLowerCase().startsWith(m[1]!.toLowerCase()))) {
        const pick = h("button", { type: "button", "data-testid": "mention-option" }, `@${name}`);
        pick.addEventListener("click", () => {
          const start = text.selectionStart - m[0].length;
          text.value = `${text.value.slice(0, start)}@${name} ${text.value.slice(text.selectionStart)}`;
          suggest.replaceChildren();
          text.focus();
        });
        suggest.append(pick);
      }
    });
    const go = h("button", { type: "button", class: "primary", "data-testid": `${testid}-send` }, "Comment");
    go.addEventListener("click", () => {
      if (!text.value.trim()) return;
      void this.attempt(async () => {
        await send(text.value);
        text.value = "";
      });
    });
    return h("div", { class: "comment-form" }, text, suggest, h("div", { class: "comment-actions" }, go));
  }

  private render(): void {
    for (const id of this.badges.keys()) this.paintBadge(id);
    const order = this.host.cellIds();
    this.newEl.replaceChildren();
    if (this.draft && this.host.canComment) {
      const { cellId, quote } = this.draft;
      const cancel = h("button", { type: "button" }, "Cancel");
      cancel.addEventListener("click", () => ((this.draft = null), this.render()));
      this.newEl.append(
        h("div", { class: "comment-thread", "data-testid": "comment-new" },
          h("div", {}, `New comment on cell ${order.indexOf(cellId) + 1}`),
          ...(quote ? [h("blockquote", {}, quote)] : []),
          this.form(`new:${cellId}:${quote ?? ""}`, "Comment or add others with @", "comment-new", async (body) => {
            await api("POST", `${this.base()}/comments`, { cell_id: cellId, quote, body });
            this.draft = null;
            this.forms.delete(`new:${cellId}:${quote ?? ""}`);
          }),
          cancel),
      );
      const text = this.newEl.querySelector<HTMLTextAreaElement>("textarea");
      if (text && !this.el.contains(document.activeElement)) text.focus();
    }
    const shown = this.threads
      .filter((t) => this.showResolved || !t.resolved)
      .sort((a, b) => order.indexOf(a.cell_id) - order.indexOf(b.cell_id));
    if (!shown.length && !this.draft) {
      this.listEl.replaceChildren(h("p", { class: "share-explain" },
        this.host.canComment ? "No comments yet. Use the comment button of a cell to add one." : "No comments."));
      return;
    }
    this.listEl.replaceChildren(...shown.map((t) => this.thread(t, order)));
  }

  private thread(t: ThreadOut, order: string[]): HTMLElement {
    const where = h("a", { href: "#", "data-testid": "thread-cell" }, `Cell ${order.indexOf(t.cell_id) + 1}`);
    where.addEventListener("click", (e) => (e.preventDefault(), this.host.revealCell(t.cell_id)));
    const head = h("div", { class: "comment-actions" }, where, t.resolved ? h("span", { class: "share-via" }, "Resolved") : "");
    const el = h("div", { class: `comment-thread${t.resolved ? " resolved" : ""}`, "data-testid": "comment-thread",
      "data-resolved": String(t.resolved) }, head);
    if (t.quote) el.append(h("blockquote", {}, t.quote));
    for (const c of t.comments) {
      el.append(
        h("div", { "data-testid": "comment" },
          h("span", { class: "comment-author", "data-testid": "comment-author" }, c.author ?? "(deleted user)"),
          h("span", { class: "comment-when" }, when(c.created_at)),
          h("div", { class: "comment-body", "data-testid": "comment-body" }, ...bodyNodes(c.body, c.mentions))),
      );
    }
    if (this.host.canComment) {
      const first = t.comments[0]!.id;
      const resolve = h("button", { type: "button", "data-testid": "thread-resolve" }, t.resolved ? "Reopen" : "Resolve");
      resolve.addEventListener("click", () =>
        void this.attempt(() => api("PATCH", `/api/comments/${first}`, { resolved: !t.resolved })),
      );
      el.append(
        this.form(`reply:${t.id}`, "Reply", "thread-reply", (body) =>
          api("POST", `${this.base()}/comments`, { thread_id: t.id, body }),
        ),
        h("div", { class: "comment-actions" }, resolve),
      );
    }
    return el;
  }
}
