// The home page at "/" (views/home/): the user's drive, as Colab and Drive show it.
import type { Me } from "../api-types";
import { HomePage } from "./home/home";

/** The first free "UntitledN.ipynb" name, as Colab names new notebooks. */
export function untitledName(taken: Iterable<string>): string {
  const names = new Set(taken);
  let i = 0;
  while (names.has(`Untitled${i}.ipynb`)) i++;
  return `Untitled${i}.ipynb`;
}

export async function renderList(
  root: HTMLElement,
  me: Me,
  navigate: (path: string) => void,
  onLogout: () => void,
): Promise<void> {
  await new HomePage(root, me, navigate, onLogout).render();
}
