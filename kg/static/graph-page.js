(function () {
  "use strict";
  // Everything from the graph arrives as JSON data and reaches the page only through textContent,
  // DOM properties and the canvas: no HTML is ever parsed from it.
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var started = performance.now();
  window.kgData = data;
  window.kgTimings = {};

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // A card describing a node or an edge: heading, field list, evidence quotes, IRI.
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
      var quote = el("blockquote", null, "\u201c" + q[0] + "\u201d ");
      quote.appendChild(el("span", "kg-offsets", q[1]));
      box.appendChild(quote);
    });
    if (info.iri) { box.appendChild(el("div", "kg-iri", info.iri)); }
    return box;
  }

  data.nodes.forEach(function (n) { n.title = card(n.kg); });
  data.edges.forEach(function (e) { e.title = card(e.kg); });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);

  var state = { actor: "", kinds: {}, relations: {} };
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
    data.nodes.forEach(function (n) { if (state.kinds[n.legend]) { base[n.id] = true; } });
    if (!state.actor) { shown = base; return; }
    // The actor, its direct neighbours, and the neighbours of those that are not actors themselves.
    var frontier = [state.actor];
    shown[state.actor] = !!base[state.actor];
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

  function status() {
    document.getElementById("kg-status").textContent = nodeView.length + " of " + nodes.length + " nodes, " +
      edgeView.length + " of " + edges.length + " edges shown";
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
  var all = el("option", null, "All actors");
  all.value = "";
  select.appendChild(all);
  data.actors.forEach(function (a) {
    var option = el("option", null, a[1]);
    option.value = a[0];
    select.appendChild(option);
  });
  select.addEventListener("change", function () { state.actor = select.value; refresh(); });

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

  refresh();
  var network = new vis.Network(document.getElementById("kg-network"), { nodes: nodeView, edges: edgeView }, data.options);
  window.kgNetwork = network;

  function show(info) {
    var details = document.getElementById("kg-details");
    while (details.firstChild) { details.removeChild(details.firstChild); }
    details.appendChild(card(info));
  }
  network.on("click", function (params) {
    if (params.nodes.length) { show(nodes.get(params.nodes[0]).kg); }
    else if (params.edges.length) { show(edges.get(params.edges[0]).kg); }
  });

  function ready() {
    window.kgTimings.ready = performance.now() - started;
    window.kgReady = true;
  }
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      window.kgTimings.stabilised = performance.now() - started;
      // Freeze the settled layout: physics stops, and nodes hidden by a filter come back where they were.
      network.setOptions({ physics: { enabled: false } });
      var positions = network.getPositions();
      nodes.update(Object.keys(positions).map(function (id) { return { id: id, x: positions[id].x, y: positions[id].y }; }));
      network.fit();
      network.once("afterDrawing", ready);
      network.redraw();
    });
  } else {
    network.once("afterDrawing", ready);
  }
}());
