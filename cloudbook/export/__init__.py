"""A notebook as one self-contained HTML file (published views, Download .html) and as PDF
(Chromium's print of the static form of that file). docs/sharing.md, "Publish"."""
