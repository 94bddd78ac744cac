(function () {
  "use strict";
  // Everything from the graph arrives as JSON data and reaches the page only through textContent,
  // DOM properties and the canvas: no HTML is ever parsed from it.
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var started = performance.now();
  var MIN_SCALE = 1.0;  // node labels are 13 px at scale 1: never open smaller than that
  var DRILL_ITERATIONS = 200;  // physics iterations to lay out a drill-down view (bounded time)
  window.kgData = data;
  window.kgTimings = {};

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // A card describing a node or an edge: heading, field list, evidence quotes (normalised; raw on demand), IRI.
  function card(info) {
    var box = el("div", "kg-card");
    box.appendChild(el("h3", null, info.heading));
    var list = el("dl");
    info.rows.forEach(function (row) {
      list.appendChild(el("dt", null, row[0]));
      list.appendChild(el("dd", null, row[1]));
    });
    box.appendChild(list);
    info.quotes.forEach(function (q) {
      var quote = el("blockquote");
      quote.appendChild(el("span", "kg-quote-text", "\u201c" + q[0] + "\u201d"));
      quote.appendChild(el("span", "kg-quote-raw", "\u201c" + (q[1] === null ? q[0] : q[1]) + "\u201d"));
      quote.appendChild(el("span", "kg-offsets", " " + q[2]));
      box.appendChild(quote);
    });
    if (info.iri) { box.appendChild(el("div", "kg-iri", info.iri)); }
    return box;
  }

  // The data leaves out what the page can write itself: edge ids and styles, card headings, ends and meanings.
  var labelOf = {};
  data.nodes.forEach(function (n) { labelOf[n.id] = n.label; });
  var meaning = {};
  data.legend.relations.forEach(function (r) { meaning[r.key] = r.description; });
  data.edges.forEach(function (e, i) {
    var style = data.edgeStyles[e.relation];
    e.id = "e" + i;
    Object.keys(style).forEach(function (k) { e[k] = style[k]; });
  });
  function infoOf(item) {
    var k = item.kg;
    var info = { heading: k.heading || item.label, rows: k.rows, quotes: k.quotes || [], iri: k.iri !== undefined ? k.iri : item.id };
    if (item.relation) {  // an edge of the network: its ends by name and what the relation means come first
      var ends = [["From", labelOf[item.from]], ["To", labelOf[item.to]]];
      if (meaning[item.relation]) { ends.push(["Meaning", meaning[item.relation]]); }
      info.heading = k.heading || item.relation;
      info.rows = ends.concat(k.rows);
      info.iri = k.iri || "";
    }
    return info;
  }
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var overview = data.overview ? { nodes: new vis.DataSet(data.overview.nodes), edges: new vis.DataSet(data.overview.edges) } : null;

  var state = { focus: null, kinds: {}, relations: {} };
  var shown = {};
  var neighbours = {};
  data.edges.forEach(function (e) {
    (neighbours[e.from] = neighbours[e.from] || []).push([e.to, e.relation]);
    (neighbours[e.to] = neighbours[e.to] || []).push([e.from, e.relation]);
  });
  var kindOf = {};
  data.nodes.forEach(function (n) { kindOf[n.id] = n.kind; });

  function computeShown() {
    shown = {};
    var base = {};
    data.nodes.forEach(function (n) { if (state.kinds[n.group]) { base[n.id] = true; } });
    if (!state.focus) { shown = base; return; }
    // The focus, its direct neighbours, and the neighbours of those that are not actors themselves.
    var frontier = state.focus.slice();
    frontier.forEach(function (id) { shown[id] = !!base[id]; });
    for (var hop = 0; hop < 2; hop += 1) {
      var next = [];
      frontier.forEach(function (id) {
        if (hop > 0 && kindOf[id] === "actor") { return; }
        (neighbours[id] || []).forEach(function (pair) {
          if (state.relations[pair[1]] && base[pair[0]] && !shown[pair[0]]) { shown[pair[0]] = true; next.push(pair[0]); }
        });
      });
      frontier = next;
    }
  }

  var nodeView = new vis.DataView(nodes, { filter: function (n) { return !!shown[n.id]; } });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) { return !!state.relations[e.relation] && !!shown[e.from] && !!shown[e.to]; }
  });
  var inOverview = !!overview;

  function status() {
    var text = inOverview
      ? "Overview: " + overview.nodes.length + " actors, issues and articles gathering " + nodes.length +
        " nodes; click one to open its positions"
      : nodeView.length + " of " + nodes.length + " nodes, " + edgeView.length + " of " + edges.length + " edges shown";
    document.getElementById("kg-status").textContent = text;
    document.getElementById("kg-back").hidden = !overview || inOverview;
  }

  function refresh() {
    computeShown();
    nodeView.refresh();
    edgeView.refresh();
    status();
  }

  // Controls, built with DOM APIs only.
  document.getElementById("kg-title").textContent = data.title;
  var select = document.getElementById("kg-actor");
  var all = el("option", null, data.overview ? "Overview" : "All actors");
  all.value = "";
  select.appendChild(all);
  data.actors.forEach(function (a) {
    var option = el("option", null, a[1]);
    option.value = a[0];
    select.appendChild(option);
  });

  var svgNS = "http://www.w3.org/2000/svg";
  function lineSample(r) {
    var svg = document.createElementNS(svgNS, "svg");
    svg.setAttribute("width", "34");
    svg.setAttribute("height", "10");
    svg.setAttribute("class", "kg-line");
    var line = document.createElementNS(svgNS, "line");
    line.setAttribute("x1", "1");
    line.setAttribute("y1", "5");
    line.setAttribute("x2", r.arrow ? "27" : "33");
    line.setAttribute("y2", "5");
    line.setAttribute("stroke", r.color);
    line.setAttribute("stroke-width", String(Math.min(r.width, 3)));
    if (r.dashes) { line.setAttribute("stroke-dasharray", r.dashes.join(" ")); }
    svg.appendChild(line);
    if (r.arrow) {
      var head = document.createElementNS(svgNS, "polygon");
      head.setAttribute("points", "26,1 33,5 26,9");
      head.setAttribute("fill", r.color);
      svg.appendChild(head);
    }
    return svg;
  }

  function checkbox(container, key, store, sample, text, tip) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = key;
    store[key] = true;
    box.addEventListener("change", function () { store[key] = box.checked; refresh(); });
    label.appendChild(box);
    label.appendChild(sample);
    label.appendChild(el("span", null, text));
    if (tip) { label.title = tip; }
    container.appendChild(label);
  }

  var kinds = document.getElementById("kg-kinds");
  data.legend.nodes.forEach(function (k) {
    var swatch = el("span", "kg-swatch " + k.shape, k.shape === "star" ? "\u2605" : null);
    if (k.shape === "star") { swatch.style.color = k.color; } else { swatch.style.background = k.color; }
    checkbox(kinds, k.key, state.kinds, swatch, k.label + " (" + k.count + ")");
  });
  var relations = document.getElementById("kg-relations");
  data.legend.relations.forEach(function (r) {
    checkbox(relations, r.key, state.relations, lineSample(r), r.key + " (" + r.count + ")", r.description);
  });
  var raw = document.getElementById("kg-raw");
  raw.addEventListener("change", function () { document.body.classList.toggle("kg-show-raw", raw.checked); });

  refresh();
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, inOverview ? overview : { nodes: nodeView, edges: edgeView }, data.options);
  window.kgNetwork = network;

  // Tooltips: a card built when the pointer rests on a node or an edge (not thousands of cards up front).
  var tooltip = el("div", "kg-tooltip");
  tooltip.hidden = true;
  document.getElementById("kg-stage").appendChild(tooltip);
  var tipTimer = null;
  function hideTip() { clearTimeout(tipTimer); tooltip.hidden = true; }
  function showTip(set, id, pointer) {
    hideTip();
    tipTimer = setTimeout(function () {
      var item = set.get(id);
      if (!item) { return; }
      while (tooltip.firstChild) { tooltip.removeChild(tooltip.firstChild); }
      tooltip.appendChild(card(infoOf(item)));
      tooltip.style.left = Math.min(pointer.DOM.x + 14, Math.max(0, container.clientWidth - 420)) + "px";
      tooltip.style.top = (pointer.DOM.y + 14) + "px";
      tooltip.hidden = false;
    }, 150);
  }
  network.on("hoverNode", function (p) { showTip(inOverview ? overview.nodes : nodes, p.node, p.pointer); });
  network.on("hoverEdge", function (p) { showTip(inOverview ? overview.edges : edges, p.edge, p.pointer); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  var details = document.getElementById("kg-details");
  function show(info) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    if (!info) { details.hidden = true; return; }
    var close = el("button", "kg-close", "\u00d7");
    close.type = "button";
    close.title = "Close";
    close.addEventListener("click", function () { show(null); });
    details.appendChild(close);
    details.appendChild(card(info));
    details.hidden = false;
  }

  function ready() {
    window.kgTimings.ready = window.kgTimings.ready || performance.now() - started;
    window.kgReady = true;
  }

  // Open at a scale where labels can be read: fit, and if that is too small, centre on the most connected node.
  function readable() {
    network.fit({ animation: false });
    if (network.getScale() >= MIN_SCALE) { return; }
    var best = null;
    var most = -1;
    network.body.data.nodes.getIds().forEach(function (id) {
      var degree = network.getConnectedEdges(id).length;
      if (degree > most) { most = degree; best = id; }
    });
    if (best !== null) { network.moveTo({ position: network.getPositions([best])[best], scale: MIN_SCALE, animation: false }); }
  }

  // Keep where physics put the nodes: filtered nodes come back at the same place, and physics stops.
  function freeze() {
    network.setOptions({ physics: { enabled: false } });
    var positions = network.getPositions();
    nodes.update(Object.keys(positions).filter(function (id) { return nodes.get(id); })
      .map(function (id) { return { id: id, x: positions[id].x, y: positions[id].y }; }));
  }

  // Lay out with physics (nodes without positions get some), then freeze and draw; then() runs when drawn.
  // vis-network stabilises a new network by itself: start is false for that first time.
  function settle(iterations, then, start) {
    network.once("stabilizationIterationsDone", function () {
      window.kgTimings.stabilised = performance.now() - started;
      freeze();
      readable();
      network.once("afterDrawing", then);
      network.redraw();
    });
    if (start === false) { return; }
    network.setOptions({ physics: { enabled: true, stabilization: { enabled: true, iterations: iterations, fit: true } } });
    network.stabilize(iterations);
  }

  function drawn(then) {
    readable();
    network.once("afterDrawing", then);
    network.redraw();
  }

  // Drill down to some nodes (or back to the overview / all nodes with null); done() runs when drawn.
  function focusOn(ids, done) {
    window.kgReady = false;
    state.focus = ids;
    var leaving = inOverview;
    inOverview = !!overview && !ids;
    refresh();
    var finish = function () { ready(); if (done) { done(); } };
    if (inOverview) { network.setData(overview); drawn(finish); return; }
    if (leaving) { network.setData({ nodes: nodeView, edges: edgeView }); }
    var unplaced = nodeView.get().some(function (n) { return n.x === undefined; });
    if (unplaced) { settle(DRILL_ITERATIONS, finish); } else { drawn(finish); }
  }
  window.kgFocus = focusOn;

  function pick(id) {
    network.selectNodes([id]);
    // centred in the part of the canvas that the card (top right, 400 px wide) leaves free
    var offset = container.clientWidth > 900 ? -210 : 0;
    network.moveTo({ position: network.getPositions([id])[id], scale: Math.max(network.getScale(), MIN_SCALE),
                     offset: { x: offset, y: 0 }, animation: false });
    show(infoOf(nodes.get(id)));
  }

  select.addEventListener("change", function () { focusOn(select.value ? [select.value] : null); });
  document.getElementById("kg-back").addEventListener("click", function () { select.value = ""; focusOn(null); });

  network.on("click", function (params) {
    if (inOverview && params.nodes.length) {
      var group = overview.nodes.get(params.nodes[0]);
      show(infoOf(group));
      focusOn(group.focus);
    } else if (params.nodes.length) { show(infoOf(nodes.get(params.nodes[0]))); }
    else if (params.edges.length) { show(infoOf((inOverview ? overview.edges : edges).get(params.edges[0]))); }
  });

  // Search: by label, any alias, or the statement / entity id; exact (any case) first, then the first containing it.
  var index = data.nodes.map(function (n) {
    var names = [n.label, n.id.split("/").pop()].concat(n.names || []);
    return { id: n.id, label: n.label, names: names.map(function (name) { return name.toLowerCase(); }) };
  }).sort(function (a, b) { return a.label.localeCompare(b.label); });
  var suggestions = document.getElementById("kg-names");
  var seen = {};
  data.nodes.forEach(function (n) {
    [n.label].concat(n.names || []).forEach(function (name) {
      if (!seen[name]) { seen[name] = true; var option = el("option"); option.value = name; suggestions.appendChild(option); }
    });
  });
  function find(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) { return null; }
    var exact = index.filter(function (n) { return n.names.indexOf(wanted) >= 0; })[0];
    return exact || index.filter(function (n) { return n.names.some(function (name) { return name.indexOf(wanted) >= 0; }); })[0] || null;
  }
  var search = document.getElementById("kg-search");
  var searchStatus = document.getElementById("kg-search-status");
  function runSearch() {
    var found = find(search.value);
    searchStatus.textContent = found ? "" : (search.value.trim() ? "No node has that name" : "");
    if (!found) { return; }
    if (shown[found.id] && network.body.data.nodes.get(found.id)) { pick(found.id); return; }
    // not on screen: show its neighbourhood (every kind and relation switched back on), then select it
    Object.keys(state.kinds).forEach(function (k) { state.kinds[k] = true; });
    Object.keys(state.relations).forEach(function (k) { state.relations[k] = true; });
    Array.prototype.forEach.call(document.querySelectorAll("#kg-kinds input, #kg-relations input"), function (b) { b.checked = true; });
    focusOn([found.id], function () { pick(found.id); });
  }
  document.getElementById("kg-search-form").addEventListener("submit", function (event) { event.preventDefault(); runSearch(); });
  search.addEventListener("change", runSearch);

  // Deal space (kg viz --dealspace GOAL): highlight one concession set at a time.
  if (data.dealspace) {
    var deal = data.dealspace;
    var dealSelect = document.getElementById("kg-deal");
    var dealInfo = document.getElementById("kg-deal-info");
    document.getElementById("kg-deal-section").hidden = false;
    var none = el("option", null, "No concession set highlighted");
    none.value = "";
    dealSelect.appendChild(none);
    deal.concession_sets.forEach(function (set, i) {
      var option = el("option", null, "Set " + (i + 1) + " (cost " + set.cost + "): give up " + set.give_up.length);
      option.value = String(i);
      dealSelect.appendChild(option);
    });
    var marked = [];
    var mark = function (ids, border, dashes) {
      ids.filter(function (id) { return nodes.get(id); }).forEach(function (id) {
        marked.push(id);
        nodes.update({ id: id, borderWidth: 5, color: { border: border }, shapeProperties: { borderDashes: dashes } });
      });
    };
    dealSelect.addEventListener("change", function () {
      nodes.update(marked.map(function (id) {
        var original = data.nodes.filter(function (n) { return n.id === id; })[0];
        return { id: id, borderWidth: 1, color: original.color || null, shapeProperties: { borderDashes: false } };
      }));
      marked = [];
      if (dealSelect.value === "") { dealInfo.textContent = ""; return; }
      var set = deal.concession_sets[Number(dealSelect.value)];
      mark([deal.goal], "#1565c0", false);
      mark(deal.needed, "#f9a825", false);
      mark(set.give_up, "#c62828", false);
      mark(set.falls, "#6d4c41", [6, 4]);
      dealInfo.textContent = "Blue: the goal; yellow: what it needs; red: given up (cost " + set.cost +
        "); brown, dashed: falls with what is given up. " +
        set.give_up.map(function (id) { return labelOf[id] || id; }).join("; ");
      focusOn([deal.goal].concat(set.give_up));
    });
  }

  if (data.physics && !inOverview) {
    settle(data.options.physics.stabilization.iterations, ready, false);
  } else {
    drawn(ready);
  }
}());
