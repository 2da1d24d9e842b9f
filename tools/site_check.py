"""Check the built book in a real browser: every page of _build/html opened in headless Chromium.

Run after ``make book`` as ``make site-check`` (or ``python tools/site_check.py``). Needs Debian's
``chromium`` and ``chromium-driver`` (``apt-get install -y chromium chromium-driver``; no browser
download) and the Python package ``selenium`` (pinned in tools/requirements-site.txt).

What it does:

* serves ``_build/html`` on 127.0.0.1 (an ephemeral port) and opens EVERY ``*.html`` page (except
  ``_static``, ``_sources``, ``_images``) in headless Chromium with a fresh profile;
* math: on a page whose HTML has math (``class="math"``) it waits for MathJax to finish, then requires
  one rendered ``mjx-container`` per math element, no MathJax error (``mjx-merror``) and no raw ``$$``
  or ``\\(`` left in the visible text. The book loads MathJax 3 from a CDN, which this sandbox cannot
  reach, so the server answers the CDN address (rewritten in the served HTML only) with a local copy
  of the same npm package (``npm pack mathjax@3``, cached under ``~/.cache/actgram-site``); the check
  also requires the built HTML to reference the CDN URL the published site uses;
* figures: every ``<img>`` must load (``complete`` and ``naturalWidth > 0``);
* cell outputs: no traceback element, no "Traceback (most recent call last)", no ``...Error`` in a
  stderr output (stderr warnings are listed as notes, not failures);
* Colab: a chapter made from a notebook must have exactly one Colab launch link,
  ``https://colab.research.google.com/github/<org>/<repo>/blob/<branch>/<path>.ipynb`` with org, repo
  and branch read from ``_config.yml``; a page made from Markdown must have none;
* internal links: every same-origin ``<a href>`` (and ``img``/``script``/``link`` URL) must name a file
  that exists, and a ``#fragment`` must be an ``id`` (or ``name``) in the target page;
* the browser console must show no SEVERE error about a same-origin resource;
* screenshots of a few pages go to ``_build/screenshots`` (a build artifact, not committed).

Exit status 0 when every check passes, 1 with the list of problems otherwise; a JSON report is written
to ``_build/site_check.json``.
"""

from __future__ import annotations

import argparse
import functools
import html.parser
import http.server
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from repo_url import repository_from_config  # noqa: E402  (the one reader of the repository URL)

ROOT = Path(__file__).resolve().parent.parent
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
MATHJAX_LOCAL = "/__mathjax3__/"
COLAB = "https://colab.research.google.com/github/"
SKIP_DIRS = ("_static", "_sources", "_images")
SCREENSHOT_PAGES = ("index.html", "chapters/ch01_model.html", "chapters/ch03_kinks.html", "chapters/api.html")
# Console errors that come from the toolchain, not from the book (listed as notes, not failures).
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
    "--window-size=1280,1600",
)


# --------------------------------------------------------------------------- configuration


def mathjax_dir(cache: Path) -> Path:
    """A local copy of the npm package mathjax@3 (what the CDN serves), fetched once with npm."""
    target = cache / "mathjax3"
    if (target / "es5" / "tex-mml-chtml.js").exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed once to fetch the mathjax@3 package (apt-get install -y npm)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", "mathjax@3", "--silent"], cwd=tmp, check=True, capture_output=True)
        (tgz,) = Path(tmp).glob("mathjax-*.tgz")
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(Path(tmp) / "package"), target)
    return target


# --------------------------------------------------------------------------- the server


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; HTML is served with the MathJax CDN address pointed at the local copy."""

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
            body = local.read_text(encoding="utf-8").replace(MATHJAX_CDN, MATHJAX_LOCAL).encode()
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
    handler = functools.partial(type("SiteHandler", (Handler,), {"mathjax": mathjax}), directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# --------------------------------------------------------------------------- static helpers


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
    """The source file a page was built from, as Sphinx copied it into _sources (None if none)."""
    rel = page.relative_to(site).with_suffix("")
    for suffix in (".ipynb", ".md", ".rst"):
        if (site / "_sources" / f"{rel}{suffix}").exists() or (site / "_sources" / f"{rel}{suffix}.txt").exists():
            return f"{rel}{suffix}"
    return None


# --------------------------------------------------------------------------- in the browser

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
Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })))
  .then(() => done(imgs.map(i => [i.getAttribute("src"), i.complete, i.naturalWidth])));
setTimeout(() => done(imgs.map(i => [i.getAttribute("src"), i.complete, i.naturalWidth])), 15000);
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
  height: document.documentElement.scrollHeight,
};
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
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def check_page(driver, site: Path, base: str, page: Path, colab_prefix: str, shots: Path | None) -> dict:
    rel = page.relative_to(site).as_posix()
    problems: list[str] = []
    notes: list[str] = []
    raw = page.read_text(encoding="utf-8")
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
        problems.append(f"math not rendered: {facts['mjx']} MathJax outputs for {facts['math']} math elements")
    if facts["merror"]:
        problems.append(f"MathJax errors: {facts['merror'][:3]}")
    for token in ("$$", "\\(", "\\["):
        if token in facts["text"]:
            at = facts["text"].index(token)
            problems.append(f"raw {token!r} in the rendered text: ...{facts['text'][max(0, at - 60) : at + 60]!r}")
    bad_images = [src for src, complete, width in images if not (complete and width > 0)]
    if bad_images:
        problems.append(f"images that did not load: {bad_images}")
    if facts["tracebacks"]:
        problems.append(f"cell output shows a traceback: {facts['tracebacks'][0]!r}")
    if "Traceback (most recent call last)" in facts["text"]:
        problems.append("the page text shows 'Traceback (most recent call last)'")
    for err in facts["stderr"]:
        (problems if re.search(r"\b\w*Error\b", err) else notes).append(f"stderr output: {err!r}")

    source = source_of(site, page)
    if source and source.endswith(".ipynb"):
        want = colab_prefix + source
        if facts["colab"] != [want]:
            problems.append(f"Colab launch links {facts['colab']} != [{want!r}]")
    elif facts["colab"]:
        problems.append(f"a page not made from a notebook has Colab links {facts['colab']}")

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
            problems.append(f"broken anchor: {url} (no id {frag!r} in {file.relative_to(site)})")

    for entry in driver.get_log("browser"):
        msg = entry.get("message", "")
        if entry.get("level") != "SEVERE" or origin not in msg or "favicon.ico" in msg:
            continue  # Chromium asks every site for /favicon.ico; the book has none
        if not ("Uncaught" in msg or "Failed to load resource" in msg):
            continue  # a theme's console.error chatter, e.g. pydata-sphinx-theme's "invalid theme mode"
        known = next((why for key, why in KNOWN_CONSOLE.items() if key in msg), None)
        (notes if known else problems).append(f"console: {msg[:200]}" + (f" [known: {known}]" if known else ""))

    if shots is not None and rel in SCREENSHOT_PAGES:
        driver.set_window_size(1280, min(int(facts["height"]) + 100, 6000))
        driver.save_screenshot(str(shots / (rel.replace("/", "__").removesuffix(".html") + ".png")))
        driver.set_window_size(1280, 1600)
    return {
        "page": rel,
        "math": facts["math"],
        "rendered_math": facts["mjx"],
        "images": len(images),
        "links": len(facts["links"]),
        "problems": problems,
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--config", type=Path, default=ROOT / "_config.yml")
    ap.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "screenshots")
    ap.add_argument("--report", type=Path, default=ROOT / "_build" / "site_check.json")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "actgram-site")
    args = ap.parse_args(argv)

    start = time.monotonic()
    site = args.site.resolve()
    if not (site / "index.html").exists():
        raise SystemExit(f"{site}/index.html not found: build the book first (make book)")
    org, repo, branch = repository_from_config(args.config)
    colab_prefix = f"{COLAB}{org}/{repo}/blob/{branch}/"
    pages = sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in SKIP_DIRS)
    args.screenshots.mkdir(parents=True, exist_ok=True)
    server, base = serve(site, mathjax_dir(args.cache))
    results = []
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        driver = make_driver(Path(profile))
        try:
            for page in pages:
                t0 = time.monotonic()
                res = check_page(driver, site, base, page, colab_prefix, args.screenshots)
                res["seconds"] = round(time.monotonic() - t0, 1)
                results.append(res)
                flag = "ok  " if not res["problems"] else "FAIL"
                print(f"{flag} {res['page']}: math {res['rendered_math']}/{res['math']}, images {res['images']}, "
                      f"links {res['links']}" + "".join(f"\n     - {p}" for p in res["problems"] + res["notes"]))
        finally:
            driver.quit()
            server.shutdown()
    failures = [r for r in results if r["problems"]]
    elapsed = time.monotonic() - start
    args.report.write_text(json.dumps({"pages": results, "seconds": round(elapsed, 1)}, indent=1))
    print(f"{len(pages)} pages, {len(failures)} with problems; screenshots in {args.screenshots}; {elapsed:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
