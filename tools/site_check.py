"""Check the built book as a reader sees it: every page of _build/html in Chromium.

Run after ``make book`` as ``make site-check`` (or ``python tools/site_check.py``).
Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium
chromium-driver``; no browser download) and the Python package ``selenium`` (pinned in
tools/requirements-site.txt).

It serves ``_build/html`` on 127.0.0.1 (an ephemeral port) and opens EVERY ``*.html``
page (except ``_static``, ``_sources``, ``_images``; a page that only redirects has its
target checked) in headless Chromium with a fresh profile, in a window 1400 CSS px wide
(device pixel ratio 1). On every page:

* the reader's view (measured at 1400 px with every collapsed cell and dropdown opened,
  so that what a reader can unfold is measured too):

  - blocks: every code block and output block (``pre``), table and display equation
    (MathJax's ``mjx-container[display]``) must fit its column: it fails when the
    element's ``scrollWidth > clientWidth + 1`` or when it reaches more than 1 px past
    the main column (the content box of ``article.bd-article``, else ``main``) on either
    side;
  - figures (an ``<img>`` or ``<svg>`` in a cell output or in a ``<figure>``): each must
    sit in a ``<figure>`` with a non-empty ``<figcaption>``; a PNG must be shown at
    >= 90 CSS px per figure-inch: displayed width / (natural width / dpi), the dpi read
    from the PNG's ``pHYs`` chunk (matplotlib writes it: a 2x "retina" figure of 7.5 in
    at 200 dpi is 1502 px wide, shown at 751 px = 100 px/in); an SVG's smallest text
    must be >= 10 CSS px as displayed (font size times the scale on screen; an SVG whose
    text was drawn as paths cannot be measured and fails: keep text as text);
  - workshop words: the column's text (collapsed code and outputs included) must not
    contain "issue", "planned", "design notes", "first run", "our target", "referee"
    (any case, whole words) or "FAILS", "TODO", "NUMERICS" (these in capitals only);

* math: on a page whose HTML has math (``class="math"``) it waits for MathJax to finish,
  then requires one rendered ``mjx-container`` per math element, no MathJax error
  (``mjx-merror``) and no raw ``$$`` or ``\\(`` left in the visible text. The book loads
  MathJax 3 from a CDN, which this sandbox cannot reach, so the server answers the CDN
  address (rewritten in the served HTML only) with a local copy of the same npm package
  (``npm pack mathjax@3``, cached under ``~/.cache/actgram-site``, fetched only when a
  page has math); the check also requires the built HTML to reference the CDN URL the
  published site uses;
* every ``<img>`` must load (``complete`` and ``naturalWidth > 0``);
* cell outputs: no traceback element, no "Traceback (most recent call last)", no
  ``...Error`` in a stderr output (stderr warnings are listed as notes, not failures);
* Colab: a chapter made from a notebook must have exactly one Colab launch link,
  ``https://colab.research.google.com/github/<org>/<repo>/blob/<branch>/<path>.ipynb``
  with org, repo and branch from ``_config.yml``; a page made from Markdown has none;
* internal links: every same-origin ``<a href>`` (and ``img``/``script``/``link`` URL)
  must name a file that exists, and a ``#fragment`` must be an ``id`` (or ``name``) in
  the target page;
* the browser console must show no SEVERE error about a same-origin resource;
* screenshots of every page, full length, in the default (collapsed) view: at 1400 px
  (``<page>.1400.png``) and at phone width 390 px (``<page>.390.png``), in
  ``_build/screenshots`` (a build artifact that CI uploads, not committed); a page
  taller than 16 000 px is cut into numbered parts (``<page>.1400.2.png``, ...).

It prints one summary line a page (figures, captioned, smallest px per figure-inch,
smallest SVG text, blocks wider than the column and the widest overflow, workshop words)
followed by the page's problems, and exits 1 when any page has a problem (0 otherwise);
a JSON report with every measurement goes to ``_build/site_check.json``.
"""

from __future__ import annotations

import argparse
import base64
import functools
import html.parser
import http.server
import json
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from repo_url import repository_from_config  # noqa: E402  (the one reader of the URL)

ROOT = Path(__file__).resolve().parent.parent
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
MATHJAX_LOCAL = "/__mathjax3__/"
COLAB = "https://colab.research.google.com/github/"
SKIP_DIRS = ("_static", "_sources", "_images")
#: The desktop window the reader's view is measured in; the phone width screenshotted.
DESKTOP_WIDTH = 1400
PHONE_WIDTH = 390
VIEW_HEIGHT = 1000
#: Chromium cannot capture one image much taller than this; longer pages come in parts.
SHOT_TILE = 16000
#: Thresholds of the reader's view.
MIN_PX_PER_INCH = 90.0
MIN_SVG_TEXT_PX = 10.0
OVERFLOW_TOLERANCE_PX = 1.0
#: Words of the workshop that have no place in the book: (name, pattern).
WORKSHOP_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("issue", re.compile(r"\bissues?\b", re.IGNORECASE)),
    ("planned", re.compile(r"\bplanned\b", re.IGNORECASE)),
    ("design notes", re.compile(r"\bdesign\s+notes?\b", re.IGNORECASE)),
    ("first run", re.compile(r"\bfirst\s+run\b", re.IGNORECASE)),
    ("our target", re.compile(r"\bour\s+target\b", re.IGNORECASE)),
    ("referee", re.compile(r"\breferees?\b", re.IGNORECASE)),
    ("FAILS", re.compile(r"\bFAILS\b")),
    ("TODO", re.compile(r"\bTODO\b")),
    ("NUMERICS", re.compile(r"\bNUMERICS\b")),
)
# Console errors that come from the toolchain, not from the book (notes, not failures).
KNOWN_CONSOLE = {
    "Identifier 'THEBE_JS_URL' has already been declared": (
        "sphinx-thebe writes its script twice under jupyter-book 1.0.4; harmless"
    ),
}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    f"--window-size={DESKTOP_WIDTH},{VIEW_HEIGHT}",
)


# ---------------------------------------------------------------------- configuration


def mathjax_dir(cache: Path) -> Path:
    """A local copy of the npm package mathjax@3 (what the CDN serves), fetched once."""
    target = cache / "mathjax3"
    if (target / "es5" / "tex-mml-chtml.js").exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "npm is needed once to fetch the mathjax@3 package (apt-get install -y npm)"
        )
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", "mathjax@3", "--silent"],
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        (tgz,) = Path(tmp).glob("mathjax-*.tgz")
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(Path(tmp) / "package"), target)
    return target


# --------------------------------------------------------------------------- the server


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; HTML goes out with the MathJax CDN address set to the copy."""

    mathjax: Path

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlparse(self.path).path
        if path.startswith(MATHJAX_LOCAL):
            file = self.mathjax / unquote(path[len(MATHJAX_LOCAL) :])
            return self._send(file)
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            text = local.read_text(encoding="utf-8")
            body = text.replace(MATHJAX_CDN, MATHJAX_LOCAL).encode()
            return self._reply(200, "text/html; charset=utf-8", body)
        return super().do_GET()

    def _send(self, file: Path) -> None:
        if not file.is_file():
            return self._reply(404, "text/plain", b"not found")
        return self._reply(200, self.guess_type(str(file)), file.read_bytes())

    def _reply(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(site: Path, mathjax: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler_class = type("SiteHandler", (Handler,), {"mathjax": mathjax})
    handler = functools.partial(handler_class, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# --------------------------------------------------------------------- static helpers


class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@functools.cache
def anchors(file: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(file.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def source_of(site: Path, page: Path) -> str | None:
    """The source file a page was built from, as Sphinx copied it into _sources."""
    rel = page.relative_to(site).with_suffix("")
    for suffix in (".ipynb", ".md", ".rst"):
        for name in (f"{rel}{suffix}", f"{rel}{suffix}.txt"):
            if (site / "_sources" / name).exists():
                return f"{rel}{suffix}"
    return None


REFRESH = re.compile(
    r'<meta\s+http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', re.IGNORECASE
)


def redirect_of(raw: str) -> str | None:
    """The target of a page that only redirects (``<meta http-equiv="refresh">``)."""
    m = REFRESH.search(raw)
    return m.group(1) if m and "<article" not in raw else None


def png_dpi(data: bytes) -> float | None:
    """Horizontal resolution in dots per inch from a PNG's ``pHYs`` chunk, or None.

    ``pHYs`` holds pixels per unit in x and y and a unit byte (1 = metre); matplotlib
    writes it from ``savefig.dpi``. A file that is not a PNG gives None.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"pHYs" and length >= 9:
            ppu_x, _ppu_y, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            return ppu_x * 0.0254 if unit == 1 and ppu_x > 0 else None
        if kind in (b"IDAT", b"IEND"):
            return None  # pHYs must come before the image data
        pos += 12 + length
    return None


def image_bytes(site: Path, url: str, origin: str) -> bytes | None:
    """The bytes of an image the page shows: a file of the site or a ``data:`` URI."""
    if url.startswith("data:"):
        head, _, payload = url.partition(",")
        if head.endswith(";base64"):
            return base64.b64decode(payload)
        return unquote(payload).encode()
    if not url.startswith(origin):
        return None
    file = site / unquote(urlparse(url).path).lstrip("/")
    return file.read_bytes() if file.is_file() else None


def workshop_words(text: str) -> list[str]:
    """Each workshop word found in ``text``, with its context: 'word: ...context...'."""
    found = []
    for name, pattern in WORKSHOP_WORDS:
        for m in pattern.finditer(text):
            context = " ".join(text[max(0, m.start() - 50) : m.end() + 50].split())
            found.append(f"{name}: ...{context}...")
    return found


def png_px_per_inch(displayed_width: float, natural_width: int, dpi: float) -> float:
    """CSS px per figure-inch: displayed width over the figure's width in inches."""
    return displayed_width / (natural_width / dpi)


# --------------------------------------------------------------------- in the browser

JS_WAIT_MATHJAX = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function poll() {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done("ok")).catch(e => done("error: " + e));
  } else if (Date.now() - t0 > 20000) {
    done("MathJax did not start");
  } else { setTimeout(poll, 100); }
})();
"""

JS_WAIT_IMAGES = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
imgs.forEach(i => { i.loading = "eager"; });
const facts = () => imgs.map(i => [i.getAttribute("src"), i.complete, i.naturalWidth]);
Promise.all(imgs.map(i => i.complete ? null
                          : new Promise(r => { i.onload = i.onerror = r; })))
  .then(() => done(facts()));
setTimeout(() => done(facts()), 15000);
"""

JS_FACTS = """
const q = s => Array.from(document.querySelectorAll(s));
const main = document.querySelector("main") || document.body;
return {
  math: q(".math").length,
  mjx: q("mjx-container").length,
  merror: q("mjx-merror").map(e => e.textContent.slice(0, 120)),
  text: main.innerText,
  tracebacks: q(".traceback, .output.error").map(e => e.textContent.slice(0, 300)),
  stderr: q(".output.stderr, .stderr").map(e => e.textContent.slice(0, 300)),
  links: q("a[href]").map(a => a.href),
  resources: q("img[src], script[src], link[href]").map(e => e.src || e.href),
  colab: q("a[href^='https://colab.research.google.com']").map(a => a.href),
};
"""

# Unfold what a reader can unfold: collapsed cells (<details>), sphinx-togglebutton's
# dropdowns and toggled blocks. Resolves after two animation frames (layout done).
JS_OPEN_ALL = """
const done = arguments[arguments.length - 1];
document.querySelectorAll("details").forEach(d => { d.open = true; });
document.querySelectorAll(".toggle-hidden")
  .forEach(e => e.classList.remove("toggle-hidden"));
document.querySelectorAll(".toggle-details").forEach(e => e.setAttribute("open", ""));
requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
"""

# The main column and every block and figure in it, measured at the current window.
JS_MEASURE = """
const col = document.querySelector("article.bd-article")
            || document.querySelector("main") || document.body;
const cr = col.getBoundingClientRect(), cs = getComputedStyle(col);
const left = cr.left + parseFloat(cs.paddingLeft);
const right = cr.right - parseFloat(cs.paddingRight);
const tol = arguments[0];
const shown = e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const snippet = e => (e.innerText || e.textContent || "").trim().split("\\n")
  .sort((a, b) => b.length - a.length)[0].slice(0, 100);
const kindOf = e => {
  if (e.tagName === "TABLE") return "table";
  if (e.tagName === "MJX-CONTAINER") return "equation";
  if (e.closest(".cell_output, .output")) return "output";
  return "code";
};
const blocks = [];
const candidates = col.querySelectorAll("pre, table, mjx-container[display='true']");
for (const e of candidates) {
  if (!shown(e)) continue;
  const r = e.getBoundingClientRect();
  let reach = r.right;
  if (e.tagName === "MJX-CONTAINER") {  // the rendered math may spill out of its box
    for (const m of e.querySelectorAll(":scope > mjx-math")) {
      reach = Math.max(reach, m.getBoundingClientRect().right);
    }
  }
  const over = Math.max(e.scrollWidth - e.clientWidth, reach - right, left - r.left);
  blocks.push({kind: kindOf(e), over: Math.round(over), width: Math.round(r.width),
               scroll: e.scrollWidth, client: e.clientWidth,
               wide: over > tol, text: snippet(e)});
}
const figures = [];
const figureEls = col.querySelectorAll(
  ".cell_output img, figure img, .cell_output svg, figure svg");
for (const e of figureEls) {
  if (e.tagName.toLowerCase() === "svg" && (e.closest("svg") !== e
      || e.closest("mjx-container, button, .headerlink, a"))) continue;
  if (!shown(e)) continue;
  const r = e.getBoundingClientRect();
  const fig = e.closest("figure");
  const cap = fig ? fig.querySelector("figcaption") : null;
  const capText = cap
    ? (cap.querySelector(".caption-text") || cap).textContent.trim() : "";
  const inline = e.tagName.toLowerCase() === "svg";
  if (inline) e.setAttribute("data-site-check", String(figures.length));
  figures.push({
    src: inline ? "(inline svg)" : e.currentSrc || e.src,
    inline: inline, width: r.width, height: r.height,
    natural: inline ? 0 : e.naturalWidth,
    caption: capText.slice(0, 80), id: fig ? fig.id : "",
  });
}
return {left: left, right: right, blocks: blocks, figures: figures,
        text: col.textContent, width: document.documentElement.scrollWidth};
"""

# Smallest text of each SVG figure as shown: font size times the scale on the screen.
# An <img> SVG is fetched, parsed and laid out (hidden) at the size the page shows it.
JS_SVG_TEXT = """
const done = arguments[arguments.length - 1];
const figs = arguments[0];  // [[src or "", width, height, index of an inline svg], ...]
function smallest(svg) {
  const texts = svg.querySelectorAll("text");
  if (!texts.length) return null;
  let low = Infinity;
  for (const t of texts) {
    if (!t.textContent.trim()) continue;
    const m = t.getScreenCTM();
    if (!m) continue;
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const size = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (size > 0) low = Math.min(low, size);
  }
  return low === Infinity ? null : low;
}
async function measure([src, w, h, k]) {
  if (!src) return smallest(document.querySelector(`svg[data-site-check="${k}"]`));
  const text = await (await fetch(src)).text();
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  const box = document.createElement("div");
  box.style.cssText = "position:absolute;left:-100000px;top:0;visibility:hidden";
  svg.setAttribute("width", w + "px");
  svg.setAttribute("height", h + "px");
  box.appendChild(svg);
  document.body.appendChild(box);
  try { return smallest(svg); } finally { box.remove(); }
}
Promise.all(figs.map(f => measure(f).catch(e => "error: " + e))).then(done);
"""


def make_driver(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chromedriver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(
        service=Service(executable_path=chromedriver), options=opts
    )
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    set_width(driver, DESKTOP_WIDTH)
    return driver


def set_width(driver, width: int, *, mobile: bool = False) -> None:
    """Lay the page out at ``width`` CSS px (device pixel ratio 1)."""
    metrics = {
        "width": width,
        "height": VIEW_HEIGHT,
        "deviceScaleFactor": 1,
        "mobile": mobile,
    }
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
    )


def full_screenshot(driver, stem: Path, width: int, *, mobile: bool = False) -> list[str]:
    """The whole page at ``width``, in parts of at most SHOT_TILE px.

    The viewport itself is made as tall as the part and the page scrolled to it, so every
    part is an ordinary screenshot of a laid-out viewport (Chromium's
    ``captureBeyondViewport`` re-lays the page out and can shift or blank it).
    """
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    files = []
    try:
        for part, top in enumerate(range(0, max(height, 1), SHOT_TILE), start=1):
            tile = max(1, min(SHOT_TILE, height - top))
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": tile, "deviceScaleFactor": 1, "mobile": mobile},
            )
            driver.execute_script("window.scrollTo(0, arguments[0]);", top)
            driver.execute_async_script(
                "const done = arguments[0];"
                "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
            )
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
            suffix = f".{width}.png" if part == 1 else f".{width}.{part}.png"
            file = stem.with_name(stem.name + suffix)
            file.write_bytes(base64.b64decode(shot["data"]))
            files.append(file.name)
    finally:
        set_width(driver, width, mobile=mobile)
        driver.execute_script("window.scrollTo(0, 0);")
    return files


def measure_figures(driver, site: Path, origin: str, figures: list[dict]) -> list[dict]:
    """px per figure-inch of each PNG figure and smallest text of each SVG figure."""
    svg_jobs, svg_of = [], []
    for i, fig in enumerate(figures):
        fig["px_per_inch"] = None
        fig["svg_text_px"] = None
        fig["kind"] = "other"
        if fig["inline"]:
            fig["kind"] = "svg"
            svg_jobs.append(["", fig["width"], fig["height"], i])
            svg_of.append(i)
            continue
        data = image_bytes(site, fig["src"], origin)
        if data is None:
            continue
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            fig["kind"] = "png"
            dpi = png_dpi(data)
            fig["dpi"] = dpi
            if dpi and fig["natural"]:
                fig["px_per_inch"] = png_px_per_inch(fig["width"], fig["natural"], dpi)
        elif b"<svg" in data[:2000]:
            fig["kind"] = "svg"
            svg_jobs.append([fig["src"], fig["width"], fig["height"], -1])
            svg_of.append(i)
    if svg_jobs:
        sizes = driver.execute_async_script(JS_SVG_TEXT, svg_jobs)
        for i, size in zip(svg_of, sizes, strict=True):
            if isinstance(size, (int, float)):
                figures[i]["svg_text_px"] = float(size)
            elif isinstance(size, str):
                figures[i]["svg_error"] = size
    return figures


def short(src: str) -> str:
    return src.rsplit("/", 1)[-1][:24] if not src.startswith("data:") else "data:..."


def view_problems(view: dict) -> list[str]:
    """The reader's view's problems: wide blocks, bare or small figures, words."""
    problems = []
    wide = [b for b in view["blocks"] if b["wide"]]
    if wide:
        kinds: dict[str, int] = {}
        for b in wide:
            kinds[b["kind"]] = kinds.get(b["kind"], 0) + 1
        worst = max(wide, key=lambda b: b["over"])
        by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        problems.append(
            f"{len(wide)} blocks wider than the column ({by_kind}); widest "
            f"+{worst['over']} px ({worst['kind']}): {worst['text'][:70]!r}"
        )
    figures = view["figures"]
    bare = [f for f in figures if not f["caption"]]
    if bare:
        names = ", ".join(short(f["src"]) for f in bare[:6])
        problems.append(
            f"{len(bare)} of {len(figures)} figures without a caption: {names}"
        )
    for f in figures:
        name = f["id"] or short(f["src"])
        if f["kind"] == "png":
            ppi = f["px_per_inch"]
            if ppi is None:
                problems.append(f"figure {name}: PNG without pHYs, dpi unknown")
            elif ppi < MIN_PX_PER_INCH:
                problems.append(
                    f"figure {name}: {ppi:.0f} px per figure-inch "
                    f"< {MIN_PX_PER_INCH:.0f} ({f['natural']} px at {f['dpi']:.0f} dpi "
                    f"shown {f['width']:.0f} px)"
                )
        elif f["kind"] == "svg":
            size = f["svg_text_px"]
            if size is None:
                why = f.get("svg_error") or "no <text>: text drawn as paths"
                problems.append(f"figure {name}: SVG text size not measurable ({why})")
            elif size < MIN_SVG_TEXT_PX:
                problems.append(
                    f"figure {name}: smallest SVG text {size:.1f} px "
                    f"< {MIN_SVG_TEXT_PX:.0f}"
                )
        else:
            problems.append(f"figure {name}: neither PNG nor SVG, size not measurable")
    for hit in view["words"]:
        problems.append(f"workshop word {hit}")
    return problems


def check_page(
    driver, site: Path, base: str, page: Path, colab_prefix: str, shots: Path | None
) -> dict:
    rel = page.relative_to(site).as_posix()
    problems: list[str] = []
    notes: list[str] = []
    raw = page.read_text(encoding="utf-8")
    target = redirect_of(raw)
    if target is not None:  # Sphinx's root index.html: only its target must exist
        file = (page.parent / urlparse(target).path).resolve()
        if not file.is_file():
            problems.append(f"redirects to {target}, which does not exist")
        return {"page": rel, "redirect": target, "problems": problems, "notes": notes}
    set_width(driver, DESKTOP_WIDTH)
    driver.get(base + rel)
    has_math = 'class="math' in raw
    if has_math:
        if MATHJAX_CDN not in raw:
            problems.append(f"has math but does not load MathJax from {MATHJAX_CDN}")
        status = driver.execute_async_script(JS_WAIT_MATHJAX)
        if status != "ok":
            problems.append(f"MathJax: {status}")
    images = driver.execute_async_script(JS_WAIT_IMAGES)
    facts = driver.execute_script(JS_FACTS)

    if has_math and facts["mjx"] < facts["math"]:
        problems.append(
            f"math not rendered: {facts['mjx']} MathJax outputs "
            f"for {facts['math']} math elements"
        )
    if facts["merror"]:
        problems.append(f"MathJax errors: {facts['merror'][:3]}")
    for token in ("$$", "\\(", "\\["):
        if token in facts["text"]:
            at = facts["text"].index(token)
            context = facts["text"][max(0, at - 60) : at + 60]
            problems.append(f"raw {token!r} in the rendered text: ...{context!r}")
    bad_images = [
        src for src, complete, width in images if not (complete and width > 0)
    ]
    if bad_images:
        problems.append(f"images that did not load: {bad_images}")
    if facts["tracebacks"]:
        problems.append(f"cell output shows a traceback: {facts['tracebacks'][0]!r}")
    if "Traceback (most recent call last)" in facts["text"]:
        problems.append("the page text shows 'Traceback (most recent call last)'")
    for err in facts["stderr"]:
        is_error = re.search(r"\b\w*Error\b", err)
        (problems if is_error else notes).append(f"stderr output: {err!r}")

    source = source_of(site, page)
    if source and source.endswith(".ipynb"):
        want = colab_prefix + source
        if facts["colab"] != [want]:
            problems.append(f"Colab launch links {facts['colab']} != [{want!r}]")
    elif facts["colab"]:
        problems.append(
            f"a page not made from a notebook has Colab links {facts['colab']}"
        )

    origin = base.rstrip("/")
    for url in sorted(set(facts["links"]) | set(facts["resources"])):
        if not url.startswith(origin) or MATHJAX_LOCAL in url:
            continue
        target, frag = urldefrag(url)
        path = unquote(urlparse(target).path).lstrip("/")
        file = site / path
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            problems.append(f"broken link: {url} (no file {file.relative_to(site)})")
        elif frag and file.suffix == ".html" and unquote(frag) not in anchors(file):
            where = file.relative_to(site)
            problems.append(f"broken anchor: {url} (no id {frag!r} in {where})")

    for entry in driver.get_log("browser"):
        msg = entry.get("message", "")
        if entry.get("level") != "SEVERE" or origin not in msg or "favicon.ico" in msg:
            continue  # Chromium asks every site for /favicon.ico; the book has none
        if not ("Uncaught" in msg or "Failed to load resource" in msg):
            continue  # a theme's console.error chatter (pydata's "invalid theme mode")
        known = next((why for key, why in KNOWN_CONSOLE.items() if key in msg), None)
        line = f"console: {msg[:200]}" + (f" [known: {known}]" if known else "")
        (notes if known else problems).append(line)

    # Screenshots of the default view (collapsed cells collapsed), desktop and phone.
    screenshots: list[str] = []
    phone_width = None
    if shots is not None:
        stem = shots / rel.replace("/", "__").removesuffix(".html")
        screenshots += full_screenshot(driver, stem, DESKTOP_WIDTH)
        set_width(driver, PHONE_WIDTH, mobile=True)
        phone_width = int(
            driver.execute_script("return document.documentElement.scrollWidth")
        )
        screenshots += full_screenshot(driver, stem, PHONE_WIDTH, mobile=True)
        set_width(driver, DESKTOP_WIDTH)
    if phone_width is not None and phone_width > PHONE_WIDTH + OVERFLOW_TOLERANCE_PX:
        notes.append(
            f"at {PHONE_WIDTH} px the page is {phone_width} px wide (scrolls sideways)"
        )

    # The reader's view at 1400 px, everything unfolded.
    driver.execute_async_script(JS_OPEN_ALL)
    view = driver.execute_script(JS_MEASURE, OVERFLOW_TOLERANCE_PX)
    view["figures"] = measure_figures(driver, site, origin, view["figures"])
    view["words"] = workshop_words(view.pop("text"))
    problems += view_problems(view)

    figures = view["figures"]
    ppis = [f["px_per_inch"] for f in figures if f["px_per_inch"] is not None]
    svg_text = [f["svg_text_px"] for f in figures if f["svg_text_px"] is not None]
    wide = [b for b in view["blocks"] if b["wide"]]
    summary = {
        "figures": len(figures),
        "captioned": sum(bool(f["caption"]) for f in figures),
        "px_per_inch_min": round(min(ppis), 1) if ppis else None,
        "under_90_px_per_inch": sum(p < MIN_PX_PER_INCH for p in ppis),
        "svg_text_px_min": round(min(svg_text), 1) if svg_text else None,
        "blocks": len(view["blocks"]),
        "wide_blocks": len(wide),
        "widest_overflow_px": max((b["over"] for b in wide), default=0),
        "words": len(view["words"]),
    }
    return {
        "page": rel,
        "math": facts["math"],
        "rendered_math": facts["mjx"],
        "images": len(images),
        "links": len(facts["links"]),
        "column": [round(view["left"]), round(view["right"])],
        "summary": summary,
        "figures": figures,
        "wide_blocks": wide,
        "words": view["words"],
        "screenshots": screenshots,
        "problems": problems,
        "notes": notes,
    }


def summary_line(res: dict) -> str:
    s = res["summary"]
    ppi = "-" if s["px_per_inch_min"] is None else f"{s['px_per_inch_min']:.0f}"
    svg = (
        ""
        if s["svg_text_px_min"] is None
        else f", svg text min {s['svg_text_px_min']} px"
    )
    return (
        f"figures {s['figures']} (captioned {s['captioned']}, "
        f"< {MIN_PX_PER_INCH:.0f} px/in {s['under_90_px_per_inch']}), "
        f"px/in min {ppi}{svg}; "
        f"blocks over column {s['wide_blocks']}/{s['blocks']} "
        f"(widest +{s['widest_overflow_px']} px); words {s['words']}; "
        f"math {res['rendered_math']}/{res['math']}, links {res['links']}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--config", type=Path, default=ROOT / "_config.yml")
    ap.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "screenshots")
    ap.add_argument("--no-screenshots", action="store_true", help="measure only")
    ap.add_argument("--report", type=Path, default=ROOT / "_build" / "site_check.json")
    ap.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "actgram-site"
    )
    ap.add_argument("--details", type=int, default=8, help="wide blocks listed a page")
    args = ap.parse_args(argv)

    start = time.monotonic()
    site = args.site.resolve()
    if not (site / "index.html").exists():
        raise SystemExit(
            f"{site}/index.html not found: build the book first (make book)"
        )
    org, repo, branch = repository_from_config(args.config)
    colab_prefix = f"{COLAB}{org}/{repo}/blob/{branch}/"
    pages = sorted(
        p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in SKIP_DIRS
    )
    shots = None if args.no_screenshots else args.screenshots
    if shots is not None:
        shutil.rmtree(shots, ignore_errors=True)  # no stale pages from an earlier build
        shots.mkdir(parents=True)
    any_math = any('class="math' in p.read_text(encoding="utf-8") for p in pages)
    mathjax = mathjax_dir(args.cache) if any_math else args.cache / "mathjax3"
    server, base = serve(site, mathjax)
    results = []
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = make_driver(Path(profile))
        try:
            for page in pages:
                t0 = time.monotonic()
                res = check_page(driver, site, base, page, colab_prefix, shots)
                res["seconds"] = round(time.monotonic() - t0, 1)
                results.append(res)
                flag = "ok  " if not res["problems"] else "FAIL"
                if "redirect" in res:
                    line = f"{flag} {res['page']}: redirects to {res['redirect']}"
                    print("\n".join([line] + [f"     - {p}" for p in res["problems"]]))
                    continue
                lines = [f"{flag} {res['page']}: {summary_line(res)}"]
                lines += [f"     - {p}" for p in res["problems"] + res["notes"]]
                wide = sorted(res["wide_blocks"], key=lambda b: -b["over"])
                lines += [
                    f"       {b['kind']:8s} +{b['over']:4d} px  {b['text'][:72]!r}"
                    for b in wide[: args.details]
                ]
                if len(wide) > args.details:
                    lines.append(
                        f"       ... {len(wide) - args.details} more in the report"
                    )
                print("\n".join(lines), flush=True)
        finally:
            driver.quit()
            server.shutdown()
    failures = [r for r in results if r["problems"]]
    elapsed = time.monotonic() - start
    totals = {
        key: sum(r["summary"][key] for r in results if "summary" in r)
        for key in (
            "figures",
            "captioned",
            "under_90_px_per_inch",
            "wide_blocks",
            "words",
        )
    }
    report = {"pages": results, "totals": totals, "seconds": round(elapsed, 1)}
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=1))
    print(
        f"{len(pages)} pages, {len(failures)} with problems; "
        f"figures {totals['figures']} "
        f"(captioned {totals['captioned']}, under {MIN_PX_PER_INCH:.0f} px/in "
        f"{totals['under_90_px_per_inch']}); blocks wider than the column "
        f"{totals['wide_blocks']}; workshop words {totals['words']}"
    )
    where = shots if shots is not None else "(none taken)"
    print(f"screenshots in {where}; report {args.report}; {elapsed:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
