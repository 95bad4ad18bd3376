// The line under the toolbar while the service installs a runtime image in the
// background (first start: "Installing Colab's packages: 212/640"). Polled while a build
// runs; administrators also see why a build failed and a link to its log. Runtimes
// started before the image is complete use the minimal one (docs/runtime-images.md).
import { api } from "../../api";
import type { BuildOut, ImagesOut } from "../../api-types";
import { h } from "../dom";

export const IMAGE_POLL_MS = 3000;

function label(name: string): string {
  return name === "colab" ? "Colab's packages" : `the ${name} image's packages`;
}

function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return `${Math.round(bytes / 1e6)} MB`;
}

export function describeBuild(b: BuildOut): string {
  const what = label(b.name);
  if (b.state === "failed") {
    const reason = b.error ? `: ${b.error.split("\n")[0]}` : ".";
    return `Could not install ${what}; runtimes keep the current image${reason}`;
  }
  const steps: Record<string, string> = {
    download: "downloaded",
    wheels: "built from source",
    install: "installed",
  };
  const step = steps[b.phase] ?? "";
  return `Installing ${what}: ${b.done}/${b.total}${step ? ` ${step}` : ""}`;
}

export class ImageNotice {
  readonly el = h("div", { class: "image-notice", "data-testid": "image-notice", hidden: true });
  private timer: number | undefined;

  constructor(private isAdmin: boolean) {}

  start(): void {
    void this.poll();
  }

  stop(): void {
    window.clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    let info: ImagesOut;
    try {
      info = await api<ImagesOut>("GET", "/api/images");
    } catch {
      this.timer = window.setTimeout(() => void this.poll(), IMAGE_POLL_MS * 5);
      return;
    }
    this.paint(info.build);
    if (info.build?.state === "building") {
      this.timer = window.setTimeout(() => void this.poll(), IMAGE_POLL_MS);
    }
  }

  paint(b: BuildOut | null): void {
    this.el.hidden = b === null || (b.state === "failed" && !this.isAdmin);
    if (b === null) return;
    const text = h("span", {}, describeBuild(b));
    if (b.state === "building") {
      const eta = b.eta_s ? `, about ${Math.ceil(b.eta_s / 60)} min left` : "";
      text.title = `${b.phase}: ${size(b.bytes)} so far${eta}. New runtimes get them once complete.`;
    }
    this.el.dataset["state"] = b.state;
    const parts: (Node | string)[] = [text];
    if (this.isAdmin) {
      parts.push(" ", h("a", { href: `/api/admin/images/${encodeURIComponent(b.name)}/log`,
        target: "_blank", rel: "noopener" }, "log"));
    }
    this.el.replaceChildren(...parts);
  }
}
