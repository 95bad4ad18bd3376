// Separate frame bundle: KaTeX and its CSS (fonts inlined), loaded when LaTeX appears.
import "katex/dist/katex.min.css";

import katex from "katex";

(window as unknown as { cloudbookKatex: typeof katex }).cloudbookKatex = katex;
