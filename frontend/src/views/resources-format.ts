// Resource figures as text (decimal units, as Colab shows them).
import type { ResourcesOut } from "../api-types";

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function describeResources(r: ResourcesOut): string {
  const lines = [
    `RAM: ${formatBytes(r.memory.used)} / ${formatBytes(r.memory.total)}`,
    `Disk: ${formatBytes(r.disk.used)} / ${formatBytes(r.disk.total)}`,
  ];
  for (const g of r.gpus) {
    lines.push(
      `GPU (${g.name}): ${formatBytes(g.memory_used)} / ${formatBytes(g.memory_total)}, ` +
        `${g.utilization}% busy`,
    );
  }
  return lines.join("\n");
}
