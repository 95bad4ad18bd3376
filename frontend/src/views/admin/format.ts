// Sizes and quotas as the admin page shows and reads them.
const UNITS: [string, number][] = [
  ["T", 1024 ** 4],
  ["G", 1024 ** 3],
  ["M", 1024 ** 2],
  ["K", 1024],
];

export function formatBytes(n: number): string {
  for (const [unit, size] of UNITS) {
    if (n >= size) return `${(n / size).toFixed(n % size === 0 ? 0 : 1)} ${unit}B`;
  }
  return `${n} B`;
}

/** "5G", "512M", "1.5T" or a byte count; "" means "the default" (null). */
export function parseSize(text: string): number | null {
  const value = text.trim();
  if (!value) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(value);
  if (!m) throw new Error(`Not a size: "${value}" (write e.g. 5G or 512M).`);
  const unit = UNITS.find(([u]) => u === m[2]!.toUpperCase());
  return Math.round(Number(m[1]) * (unit ? unit[1] : 1));
}

export function parseCount(text: string, label: string, integer: boolean): number | null {
  const value = text.trim();
  if (!value) return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${label}: write a ${integer ? "whole " : ""}number of at least 0.`);
  }
  return n;
}

/** "used / limit", the limit "no limit" when there is none. */
export function usage(used: string, limit: string | null): string {
  return `${used} / ${limit ?? "no limit"}`;
}

/** A byte count as the quota field shows it: "5G" when it is whole, else bytes. */
export function sizeText(n: number): string {
  for (const [unit, size] of UNITS) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  }
  return String(n);
}
