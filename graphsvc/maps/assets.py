"""The front-end files the maps inline, vendored under ``graphsvc/maps/assets/`` (no download at run time).

===================  ===========================================  ==========================================
file                 what                                         from
===================  ===========================================  ==========================================
``leaflet.js``       Leaflet 1.9.4, minified                      npm ``leaflet@1.9.4`` ``dist/`` (BSD-2-Clause,
``leaflet.css``      its stylesheet                               ``LEAFLET-LICENSE.txt``)
``layers*.png``,     the layer-control and default-icon images    the same package, ``dist/images/``; inlined
``marker-icon.png``  the stylesheet refers to                     into the CSS as ``data:`` URIs
===================  ===========================================  ==========================================

What folium's ``Map`` template links by default (``Map.default_js`` / ``default_css``, folium 0.20), and what
the maps do with each:

- ``leaflet`` JS and ``leaflet_css``: inlined from the files above;
- ``jquery``, ``bootstrap`` (JS and CSS), ``glyphicons_css``, ``awesome_markers`` (JS and CSS),
  ``awesome_markers_font_css`` (Font Awesome), ``awesome_rotate_css``: dropped. They serve folium's
  ``Icon`` markers and its ``objects_to_stay_in_front`` switch, which these maps do not use: markers are
  ``DivIcon`` s drawn with CSS, and the legend is plain HTML. folium's ``Popup`` still builds its content with
  jQuery's ``$(`<html>`)[0]``; :data:`JQUERY_SHIM` (a few lines, inlined) answers exactly that call and
  ``$(document).ready(fn)``, instead of 87 KB of jQuery.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

__all__ = [
    "DROPPED_FOLIUM_ASSETS",
    "INLINED_FOLIUM_ASSETS",
    "JQUERY_SHIM",
    "asset_text",
    "leaflet_css",
    "leaflet_js",
]

INLINED_FOLIUM_ASSETS = ("leaflet", "leaflet_css")
DROPPED_FOLIUM_ASSETS = (
    "jquery",
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
)

JQUERY_SHIM = """
window.$ = window.$ || function (x) {
  if (typeof x === 'string') {
    var t = document.createElement('template');
    t.innerHTML = x.trim();
    return [t.content.firstChild];
  }
  var ready = function (fn) {
    if (document.readyState !== 'loading') { fn(); } else { document.addEventListener('DOMContentLoaded', fn); }
  };
  if (typeof x === 'function') { ready(x); return []; }
  return { ready: ready };
};
"""
"""The part of jQuery folium's generated code calls (``$(html)[0]`` in popups, ``$(document).ready``)."""


def _file(name: str) -> bytes:
    return resources.files("graphsvc.maps").joinpath("assets", name).read_bytes()


def asset_text(name: str) -> str:
    """A vendored text file (UTF-8)."""
    return _file(name).decode("utf-8")


@cache
def leaflet_js() -> str:
    """Leaflet's minified script, without its source-map comment, safe inside ``<script>``."""
    js = asset_text("leaflet.js")
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    return js.replace("</script", "<\\/script")


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as ``data:`` URIs."""
    css = asset_text("leaflet.css")

    def inline(m: re.Match[str]) -> str:
        name = m.group(1).rsplit("/", 1)[-1]
        try:
            data = base64.b64encode(_file(name)).decode("ascii")
        except FileNotFoundError:  # an install without the PNGs: no image rather than a relative link
            return "none"
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
