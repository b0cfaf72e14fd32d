// The live picture: polls snapshot.json (beside this page) every second
// and draws it with Cytoscape.js and the dagre layout. Components are
// boxes holding their inboxes and outboxes as ports, coloured by how full
// they are; links are edges from box to box; a connection's components are
// drawn together, inside a frame labelled with its peer.
"use strict";

const period = 1000;
const cy = cytoscape({
  container: document.getElementById("graph"),
  wheelSensitivity: 0.3,
  style: [
    { selector: "node.comp", style: {
      "shape": "round-rectangle", "background-color": "#fafafa", "border-color": "#777", "border-width": 1,
      "label": "data(label)", "text-valign": "top", "text-halign": "center", "font-size": 10, "padding": 4 } },
    { selector: "node.conn", style: {
      "shape": "round-rectangle", "background-color": "#eef4fb", "border-color": "#4a78b0", "border-width": 2,
      "border-style": "dashed", "label": "data(label)", "font-size": 12,
      "font-weight": "bold", "color": "#244a78", "padding": 4, "text-valign": "bottom" } },
    { selector: "node.box", style: {
      "shape": "round-rectangle", "width": 64, "height": 18, "font-size": 8, "label": "data(label)",
      "text-valign": "center", "text-halign": "center", "border-width": 1,
      "background-color": "mapData(fill, 0, 1, #d8f0d8, #e03c31)" } },
    { selector: "node.box.in", style: { "border-color": "#2a6fb0" } },
    { selector: "node.box.out", style: { "border-color": "#b06a2a", "shape": "tag" } },
    { selector: "edge.link", style: {
      "width": 1.5, "line-color": "#555", "target-arrow-color": "#555", "target-arrow-shape": "triangle",
      "curve-style": "bezier" } },
    { selector: "edge.tree", style: { "width": 1, "line-color": "#bbb", "line-style": "dashed", "curve-style": "bezier" } },
    { selector: "edge.inner", style: { "opacity": 0, "events": "no" } },
  ],
  elements: [],
});
window.cy = cy; // for a console, and the browser test

const $ = (id) => document.getElementById(id);
let shown = Number($("shown").value);
$("shown").addEventListener("change", () => { shown = Number($("shown").value); refresh(); });

function bytes(n) {
  if (n < 1024) return n + " B";
  if (n < 1 << 20) return (n / 1024).toFixed(1) + " KiB";
  if (n < 1 << 30) return (n / (1 << 20)).toFixed(1) + " MiB";
  return (n / (1 << 30)).toFixed(2) + " GiB";
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fillCell(f) {
  const td = cell("", "fill");
  const bar = document.createElement("div");
  bar.className = "bar";
  bar.style.width = Math.min(100, Math.round(f * 100)) + "%";
  td.title = Math.round(f * 100) + "%";
  td.appendChild(bar);
  return td;
}

// elementsOf turns a snapshot into Cytoscape elements, keyed by id.
function elementsOf(s) {
  const els = new Map();
  const add = (e) => els.set(e.data.id, e);
  const names = new Map(s.nodes.map((n) => [n.id, n.name]));
  const drawn = new Set(s.nodes.map((n) => n.id));
  s.conns.forEach((c, rank) => {
    add({ group: "nodes", classes: "conn", data: { id: "conn-" + c.id, label: c.peer + "  (" + c.handler + ")", peer: c.peer, rank } });
  });
  for (const n of s.nodes) {
    const id = "c-" + n.id;
    add({ group: "nodes", classes: "comp", data: { id, label: n.name, parent: n.conn ? "conn-" + n.conn : undefined } });
    const ins = [], outs = [];
    for (const b of n.boxes) {
      const bid = "b-" + n.id + "-" + b.name;
      (b.dir === "in" ? ins : outs).push(bid);
      add({ group: "nodes", classes: "box " + b.dir, data: {
        id: bid, parent: id, label: b.name + " " + b.len + "/" + b.cap, fill: b.cap ? Math.min(1, b.len / b.cap) : 0 } });
    }
    // Inboxes to the left of outboxes: invisible edges inside a component.
    for (const i of ins) for (const o of outs) {
      add({ group: "edges", classes: "inner", data: { id: "i-" + i + "-" + o, source: i, target: o } });
    }
    // The tree: a component to the children it started, when they are not
    // in a connection's frame (the frame is joined to the server instead).
    if (n.parent && drawn.has(n.parent) && !n.conn) {
      add({ group: "edges", classes: "tree", data: { id: "t-" + n.id, source: "c-" + n.parent, target: id } });
    }
  }
  for (const c of s.conns) {
    if (c.server && drawn.has(c.server)) {
      add({ group: "edges", classes: "tree", data: { id: "t-conn-" + c.id, source: "c-" + c.server, target: "conn-" + c.id } });
    }
  }
  for (const l of s.links) {
    const source = "b-" + l.from + "-" + l.fromBox, target = "b-" + l.to + "-" + l.toBox;
    if (els.has(source) && els.has(target)) {
      add({ group: "edges", classes: "link", data: { id: "l-" + source + "-" + target, source, target } });
    }
  }
  return { els, names };
}

// draw brings the graph to the snapshot: elements that went are removed,
// new ones added, the others' labels and fill updated in place; the layout
// runs again only when elements came or went.
function draw(s) {
  const { els } = elementsOf(s);
  let changed = false;
  cy.batch(() => {
    cy.elements().forEach((e) => {
      if (!els.has(e.id())) { e.remove(); changed = true; }
    });
    const newNodes = [], newEdges = [];
    for (const [id, e] of els) {
      const have = cy.getElementById(id);
      if (have.nonempty()) {
        if (e.group === "nodes" && (have.data("label") !== e.data.label || have.data("fill") !== e.data.fill ||
            have.data("rank") !== e.data.rank)) {
          if (have.data("rank") !== e.data.rank) changed = true; // the order of the frames changed
          have.data({ label: e.data.label, fill: e.data.fill, rank: e.data.rank });
        }
      } else {
        (e.group === "nodes" ? newNodes : newEdges).push(e);
      }
    }
    if (newNodes.length || newEdges.length) {
      cy.add(newNodes);
      cy.add(newEdges);
      changed = true;
    }
  });
  if (changed) arrange();
}

// arrange lays the graph out: the components that belong to no connection
// (servers, listeners) with dagre, left to right; below them each
// connection's frame, laid out with dagre on its own, in a grid of frames
// in the order of the table, slowest and fullest first.
function arrange() {
  const frames = cy.nodes(".conn").sort((a, b) => a.data("rank") - b.data("rank"));
  const framed = frames.union(frames.descendants());
  const rest = cy.elements().filter((e) => e.isNode() ? !framed.contains(e) : !framed.contains(e.source()) && !framed.contains(e.target()));
  const dagre = { name: "dagre", rankDir: "LR", animate: false, fit: false };
  if (rest.nonempty()) rest.layout({ ...dagre, nodeSep: 30, rankSep: 60, edgeSep: 6 }).run();
  const top = rest.nonempty() ? rest.nodes().boundingBox() : { x1: 0, y2: 0 };
  let cellW = 0, cellH = 0;
  frames.forEach((f) => {
    const inside = f.descendants();
    const inner = inside.union(inside.connectedEdges().filter((e) => inside.contains(e.source()) && inside.contains(e.target())));
    inner.layout({ ...dagre, nodeSep: 6, rankSep: 30, edgeSep: 4 }).run();
    const bb = f.boundingBox();
    cellW = Math.max(cellW, bb.w);
    cellH = Math.max(cellH, bb.h);
  });
  const gap = 24;
  const width = Math.max(top.x2 - top.x1 || 0, 4 * (cellW + gap));
  const cols = Math.max(1, Math.min(frames.length, Math.floor(width / (cellW + gap))));
  frames.forEach((f, i) => {
    const bb = f.boundingBox();
    const x = top.x1 + (i % cols) * (cellW + gap), y = top.y2 + 2 * gap + Math.floor(i / cols) * (cellH + gap);
    f.descendants().nodes().filter((n) => n.isChildless()).shift({ x: x - bb.x1, y: y - bb.y1 });
  });
  cy.fit(undefined, 10);
}

function table(s, names) {
  const tb = $("conns").tBodies[0];
  tb.replaceChildren(...s.conns.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.peer = c.peer;
    tr.dataset.id = c.id;
    tr.append(cell(c.peer), cell(c.handler, "type"), cell(c.age.toFixed(1)), cell(bytes(c.bytesIn)),
      cell(bytes(c.bytesOut)), cell(bytes(c.queued)), fillCell(c.fill));
    return tr;
  }));
  const gb = $("groups").tBodies[0];
  gb.replaceChildren(...s.groups.map((g) => {
    const tr = document.createElement("tr");
    tr.append(cell(names.get(g.server) || (g.server ? "#" + g.server : "")), cell(g.handler, "type"),
      cell(g.count.toLocaleString()), cell(g.shown), cell(bytes(g.bytesIn)), cell(bytes(g.bytesOut)),
      cell(bytes(g.queued)), fillCell(g.maxFill));
    return tr;
  }));
}

let timer = null;
async function refresh() {
  clearTimeout(timer);
  try {
    const r = await fetch("snapshot.json?conns=" + shown, { cache: "no-store" });
    if (!r.ok) throw new Error(r.status + " " + r.statusText);
    const s = await r.json();
    const { names } = elementsOf(s);
    draw(s);
    table(s, names);
    $("summary").textContent = s.components.toLocaleString() + " components, " +
      s.connections.toLocaleString() + " connections (" + s.conns.length + " drawn)" +
      (s.omitted ? ", " + s.omitted + " components left out" : "") +
      ", " + s.dropped + " messages dropped; snapshot took " + (s.tookMicros / 1000).toFixed(1) + " ms";
    $("status").textContent = "updated " + new Date(s.taken).toLocaleTimeString();
    $("status").className = "";
    document.body.dataset.updated = s.taken;
  } catch (err) {
    $("status").textContent = "not reachable: " + err.message;
    $("status").className = "down";
  }
  timer = setTimeout(refresh, period);
}
refresh();
