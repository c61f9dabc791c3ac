"""The guide: one page that paces a movement at the practice's slow count.

The page is a single HTML file with its drawing and its script inside, so it
works offline and asks the network for nothing (its Content-Security-Policy
forbids it). It only reads: no link, form or script in it can reach budge.

The figure moves between its key poses: out in two beats, back over the
count the movement's text names ("over a count of 8", then 10, then 12), then
two beats to melt out; a count ticks along and the breath is cued. The
gentler form is one click away. Where the reader asks for reduced motion, the
figure stands still (start faint, end solid) and only the count moves.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from budge.core.figure import FRAMES, PARTS, Picture, flat, place
from budge.core.movements import Movement

BEAT_MS = 1000  # one slow count
READY_BEATS, OUT_BEATS, MELT_BEATS = 2, 2, 2
DEFAULT_COUNTS = (8, 10, 12)
_COUNT = re.compile(r"count of (\d+)", re.IGNORECASE)
# "then 10", "8, 10": the slower counts that follow the first.
_LATER = re.compile(r"(?:then|for|taking|count of|(?<=\d),|:)\s*(\d+)", re.IGNORECASE)


def counts(movement: Movement) -> tuple[int, ...]:
    """The slow counts the movement's words name, slowest last: "over a count of
    8 ... then 10, then 12" is (8, 10, 12). The longest "count of" in the cue is
    the release (a breath in "for a count of 4" comes before it); a movement that
    names no count follows the practice's 8, 10, 12."""
    text = " ".join((movement.cue, *movement.steps))
    named = [int(n) for n in _COUNT.findall(movement.cue)] or \
        [int(n) for n in _COUNT.findall(text)]
    if not named:
        return DEFAULT_COUNTS
    release = max(named)
    later = {int(n) for n in _LATER.findall(text)} | set(named)
    return tuple(sorted(n for n in later if release <= n <= 30))


def frames(picture: Picture) -> list[dict[str, Any]]:
    """Each key pose as the page draws it: segments and the head, on the picture's plane."""
    shown = []
    for index in range(len(picture.poses)):
        body = place(picture.full_pose(index), picture.setting)
        segments = {name: [round(v, 2) for v in (*flat(a, picture.view), *flat(b, picture.view))]
                    for name, (a, b) in body.segments.items()}
        head = [round(v, 2) for v in flat(body.head, picture.view)]
        shown.append({"segments": segments, "head": head})
    return shown


def page(movement: Movement) -> str:
    """The whole guide for ``movement`` as one HTML document."""
    picture = movement.figure
    left, bottom, side = FRAMES[(picture.setting, picture.view)]
    moving = sorted({name for part in picture.moving for name in PARTS[part]})
    paced = counts(movement)
    data = {
        "usual": frames(picture), "gentler": frames(picture.gentler()),
        "moving": moving, "counts": list(paced), "beat": BEAT_MS,
        "ready": READY_BEATS, "out": OUT_BEATS, "melt": MELT_BEATS,
        "breath": picture.breath or "in", "box": [left, bottom, side],
    }
    steps = "\n".join(f"<li>{html.escape(step)}</li>" for step in movement.steps)
    # "</" cannot end the script early: JSON's "<" is written as \u003c.
    script_data = json.dumps(data, sort_keys=True).replace("<", "\\u003c")
    return _TEMPLATE.format(
        name=html.escape(movement.name), cue=html.escape(movement.cue),
        steps=steps, why=html.escape(movement.why), gentler=html.escape(movement.gentler),
        counts=html.escape(", then ".join(str(n) for n in paced)),
        data=script_data, script=_SCRIPT)


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} - budge</title>
<style>
 body {{ font-family: sans-serif; max-width: 40em; margin: 1.5em auto; padding: 0 1em;
        background: #faf9f6; color: #2c343a; }}
 @media (prefers-color-scheme: dark) {{ body {{ background: #262a30; color: #eceeea; }}
   #stage {{ background: #30353c; }} }}
 #stage {{ width: 100%; max-width: 420px; aspect-ratio: 1; display: block; margin: 0 auto;
          background: #ffffff; border-radius: 12%; }}
 #count {{ font-size: 3em; text-align: center; margin: .2em 0 0; min-height: 1.2em; }}
 #cue {{ text-align: center; font-size: 1.3em; min-height: 1.5em; }}
 .ink {{ stroke: currentColor; }} .moving {{ stroke: #d65c1e; }} .faint {{ stroke: #c4cacc; }}
 button {{ font-size: 1em; padding: .4em 1em; }}
 .controls {{ text-align: center; }}
</style>
</head>
<body>
<h1>{name}</h1>
<p>{cue}</p>
<svg id="stage" role="img" aria-label="The figure doing {name}"></svg>
<p id="count" aria-live="polite"></p>
<p id="cue"></p>
<p class="controls"><button id="form" type="button">Show the gentler form</button></p>
<p>Counts: {counts}. One count is one slow second.</p>
<h2>Steps</h2>
<ol>
{steps}
</ol>
<h2>Why</h2>
<p>{why}</p>
<h2>Gentler</h2>
<p>{gentler}</p>
<script id="data" type="application/json">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""

# Timers rather than animation frames drive it: each tick redraws from the time
# the page has run, so it is the same whatever the frame rate.
_SCRIPT = """
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const SVG = "http://www.w3.org/2000/svg";
const stage = document.getElementById("stage");
const [left, bottom, side] = data.box;
stage.setAttribute("viewBox", "0 0 " + side + " " + side);
let form = "usual";
const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
function xy(x, y) { return [x - left, side - (y - bottom)]; }
function mix(a, b, t) { return a + (b - a) * t; }
function between(p, q, t) {
  const segments = {};
  for (const name in p.segments) {
    segments[name] = p.segments[name].map((v, i) => mix(v, q.segments[name][i], t));
  }
  return {segments: segments, head: [mix(p.head[0], q.head[0], t), mix(p.head[1], q.head[1], t)]};
}
function along(poses, t) {
  const span = poses.length - 1;
  const at = Math.min(span, Math.max(0, t * span));
  const i = Math.min(span - 1, Math.floor(at));
  return between(poses[i], poses[i + 1], at - i);
}
function figure(pose, faint) {
  const group = document.createElementNS(SVG, "g");
  group.setAttribute("stroke-linecap", "round");
  for (const name in pose.segments) {
    const [x0, y0, x1, y1] = pose.segments[name];
    const [a, b] = xy(x0, y0), [c, d] = xy(x1, y1);
    const line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", a); line.setAttribute("y1", b);
    line.setAttribute("x2", c); line.setAttribute("y2", d);
    const trunk = name === "waist" || name === "chest" || name === "pelvis";
    line.setAttribute("stroke-width", trunk ? 6 : 3.4);
    line.setAttribute("class", faint ? "faint" : data.moving.includes(name) ? "moving" : "ink");
    group.appendChild(line);
  }
  const head = document.createElementNS(SVG, "circle");
  const [hx, hy] = xy(pose.head[0], pose.head[1]);
  head.setAttribute("cx", hx); head.setAttribute("cy", hy); head.setAttribute("r", 6.2);
  const headMoves = data.moving.includes("head");
  head.setAttribute("fill", faint ? "#c4cacc" : headMoves ? "#d65c1e" : "currentColor");
  group.appendChild(head);
  return group;
}
function draw(pose) {
  stage.replaceChildren();
  const floor = document.createElementNS(SVG, "line");
  const [fx, fy] = xy(left + 4, 1);
  floor.setAttribute("x1", fx); floor.setAttribute("y1", fy);
  floor.setAttribute("x2", fx + side - 8); floor.setAttribute("y2", fy);
  floor.setAttribute("class", "faint"); floor.setAttribute("stroke-width", 1.6);
  stage.appendChild(floor);
  const poses = data[form];
  if (still) { stage.appendChild(figure(poses[0], true)); }
  stage.appendChild(figure(pose, false));
}
// One round: ready, out, back over the count, melt; then the next count.
function phase(ms) {
  const beat = data.beat;
  const rounds = data.counts.map((n) => (data.ready + data.out + n + data.melt) * beat);
  const whole = rounds.reduce((a, b) => a + b, 0);
  let t = ms % whole, round = 0;
  while (t >= rounds[round]) { t -= rounds[round]; round += 1; }
  const n = data.counts[round];
  const ready = data.ready * beat, out = data.out * beat, back = n * beat;
  if (t < ready) return {part: "ready", share: 0, n: n, tick: 0};
  t -= ready;
  if (t < out) return {part: "out", share: t / out, n: n, tick: 0};
  t -= out;
  if (t < back) return {part: "back", share: 1 - t / back, n: n, tick: Math.floor(t / beat) + 1};
  return {part: "melt", share: 0, n: n, tick: 0};
}
const words = {
  ready: "Feel it get ready. Breathe in.",
  out: data.breath === "out" ? "Breathe out as you move, a little." : "Move a little.",
  back: "Breathe out and come back, slowly.",
  melt: "Melt out. Let everything let go.",
};
const started = Date.now();
function tick() {
  const now = phase(Date.now() - started);
  const poses = data[form];
  draw(still ? poses[poses.length - 1] : along(poses, now.share));
  document.getElementById("count").textContent =
    now.part === "back" ? now.tick + " of " + now.n : "";
  document.getElementById("cue").textContent = words[now.part];
}
document.getElementById("form").addEventListener("click", (event) => {
  form = form === "usual" ? "gentler" : "usual";
  event.target.textContent = form === "usual" ? "Show the gentler form" : "Show the usual form";
  tick();
});
tick();
setInterval(tick, 100);
"""
