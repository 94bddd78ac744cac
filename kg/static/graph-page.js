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
  var state = { focus: null, kinds: {}, relations: {}, article: "", from: "", to: "" };
  var shown = {};
  var neighbours = {};
  data.edges.forEach(function (e) {
    (neighbours[e.from] = neighbours[e.from] || []).push([e.to, e.relation]);
    (neighbours[e.to] = neighbours[e.to] || []).push([e.from, e.relation]);
  });
  var kindOf = {};
  data.nodes.forEach(function (n) { kindOf[n.id] = n.kind; });

  // Article and date filters: positions and events of the chosen article and dates (their own date, else their
  // article's); actors and issues stay while a position or event linked to them does.
  var FILTERED = { position: true, event: true };
  var passing = {};
  function filtering() { return state.article !== "" || state.from !== "" || state.to !== ""; }
  function inFilter(n) {
    if (state.article !== "" && n.article !== Number(state.article)) { return false; }
    var date = (n.date || "").slice(0, 10);
    if ((state.from || state.to) && !date) { return false; }
    return !(state.from && date < state.from) && !(state.to && date > state.to);
  }
  function computeFiltered() {
    passing = {};
    var active = filtering();
    data.nodes.forEach(function (n) { if (!active || (FILTERED[n.kind] && inFilter(n))) { passing[n.id] = true; } });
    if (!active) { return; }
    data.nodes.forEach(function (n) {
      if (!FILTERED[n.kind] && (neighbours[n.id] || []).some(function (pair) { return FILTERED[kindOf[pair[0]]] && passing[pair[0]]; })) {
        passing[n.id] = true;
      }
    });
  }

  // The overview (large graphs). Under a filter each group is recounted from its positions (held by or about it; an
  // article group's own list), and groups and links left with no position are hidden.
  var overview = data.overview ? { nodes: new vis.DataSet(data.overview.nodes), edges: new vis.DataSet(data.overview.edges) } : null;
  var groupMembers = null;
  var recounted = false;
  var groupsShown = overview ? overview.nodes.length : 0;
  function membersOfGroups() {
    var found = {};
    data.overview.nodes.forEach(function (o) {
      var members = {};
      if (o.kind === "article") { o.focus.forEach(function (id) { members[id] = true; }); }
      (neighbours[o.id] || []).forEach(function (pair) {
        if (kindOf[pair[0]] === "position" && (pair[1] === "holds" || pair[1] === "topic")) { members[pair[0]] = true; }
      });
      found[o.id] = Object.keys(members);
    });
    return found;
  }
  function recountOverview() {
    groupMembers = groupMembers || membersOfGroups();
    var groupsOf = {};
    var groupCount = {};
    var pairCount = {};
    Object.keys(groupMembers).forEach(function (group) {
      groupCount[group] = 0;
      groupMembers[group].forEach(function (id) {
        if (passing[id]) { groupCount[group] += 1; (groupsOf[id] = groupsOf[id] || []).push(group); }
      });
    });
    Object.keys(groupsOf).forEach(function (id) {
      var groups = groupsOf[id].sort();
      for (var i = 0; i < groups.length; i += 1) {
        for (var j = i + 1; j < groups.length; j += 1) {
          var key = groups[i] + "\n" + groups[j];
          pairCount[key] = (pairCount[key] || 0) + 1;
        }
      }
    });
    groupsShown = 0;
    overview.nodes.update(data.overview.nodes.map(function (o) {
      var count = groupCount[o.id];
      groupsShown += count > 0 ? 1 : 0;
      var rows = [o.kg.rows[0], ["Positions", count + " (click to open them)"]];
      return { id: o.id, label: o.kg.heading + " (" + count + ")", hidden: count === 0,
               kg: { heading: o.kg.heading, rows: rows, quotes: [], iri: o.kg.iri } };
    }));
    overview.edges.update(data.overview.edges.map(function (e) {
      var count = pairCount[e.from + "\n" + e.to] || 0;
      return { id: e.id, width: Math.round(10 * (1 + Math.log2(Math.max(count, 1)))) / 10, hidden: count === 0,
               kg: { heading: e.kg.heading, rows: [["Shared positions", String(count)]], quotes: [], iri: "" } };
    }));
  }

  function computeShown() {
    shown = {};
    var base = {};
    computeFiltered();
    data.nodes.forEach(function (n) { if (state.kinds[n.group] && passing[n.id]) { base[n.id] = true; } });
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

  function filterText() {
    if (!filtering()) { return ""; }
    var parts = [];
    if (state.article !== "") { parts.push("article " + data.articles[Number(state.article)].id); }
    if (state.from || state.to) { parts.push("dates " + (state.from || "\u2026") + " to " + (state.to || "\u2026")); }
    return "; filtered to " + parts.join(", ");
  }

  function status() {
    var text = inOverview
      ? "Overview: " + groupsShown + " actors, issues and articles gathering " + nodes.length +
        " nodes; click one to open its positions"
      : nodeView.length + " of " + nodes.length + " nodes, " + edgeView.length + " of " + edges.length + " edges shown";
    document.getElementById("kg-status").textContent = text + filterText();
    document.getElementById("kg-back").hidden = !overview || inOverview;
  }

  function refresh() {
    computeShown();
    if (overview && (filtering() || recounted)) { recountOverview(); recounted = filtering(); }
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
  var articleSelect = document.getElementById("kg-article");
  var everyArticle = el("option", null, "All articles (" + data.articles.length + ")");
  everyArticle.value = "";
  articleSelect.appendChild(everyArticle);
  function articleText(a) {
    return [a.date, a.title || a.id, a.outlet].filter(function (part) { return part; }).join(" \u00b7 ") + (a.title ? " (" + a.id + ")" : "");
  }
  data.articles.forEach(function (a, i) {
    var option = el("option", null, articleText(a));
    option.value = String(i);
    articleSelect.appendChild(option);
  });
  var fromInput = document.getElementById("kg-from");
  var toInput = document.getElementById("kg-to");
  var dates = data.nodes.map(function (n) { return (n.date || "").slice(0, 10); }).filter(function (d) { return d; }).sort();
  if (dates.length) {
    [fromInput, toInput].forEach(function (input) { input.min = dates[0]; input.max = dates[dates.length - 1]; });
  }
  function setFilters(article, from, to) {
    state.article = articleSelect.value = article;
    state.from = fromInput.value = from;
    state.to = toInput.value = to;
  }
  function filtersChanged() {
    setFilters(articleSelect.value, fromInput.value, toInput.value);
    focusOn(state.focus);
  }
  [articleSelect, fromInput, toInput].forEach(function (control) { control.addEventListener("change", filtersChanged); });
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

  // A position's threads: the same position as reported in each article, in date order, each report selectable.
  var threadsOf = {};
  data.threads.forEach(function (t) {
    t.members.forEach(function (m) { (threadsOf[m[0]] = threadsOf[m[0]] || []).push(t); });
  });
  function threadBox(t, id) {
    var box = el("section", "kg-thread");
    box.appendChild(el("h4", null, "Thread: " + t.label));
    box.appendChild(el("p", "kg-hint", t.members.length + " reports, " + t.sources + " independent source(s), in date order"));
    var list = el("ol");
    t.members.forEach(function (m, i) {
      var item = el("li", m[0] === id ? "kg-thread-this" : null);
      item.appendChild(el("span", "kg-thread-date", m[2]));
      var label = labelOf[m[0]] || m[1];
      if (m[0] === id) { item.appendChild(el("span", "kg-thread-label", label + " (this report)")); }
      else if (nodes.get(m[0])) {
        var button = el("button", "kg-thread-label", label);
        button.type = "button";
        button.value = m[0];
        button.addEventListener("click", function () { reveal(m[0]); });
        item.appendChild(button);
      } else { item.appendChild(el("span", "kg-thread-label", label)); }
      var relation = m[4] ? m[4] + " the report before" : (i === 0 ? "first report" : "same source as the report before");
      item.appendChild(el("span", "kg-thread-relation", relation));
      var a = data.articles[m[3]];
      item.appendChild(el("span", "kg-thread-article", a ? articleText(a) : m[0].split("/").slice(-2, -1)[0]));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  var details = document.getElementById("kg-details");
  function show(info, id) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    if (!info) { details.hidden = true; return; }
    var close = el("button", "kg-close", "\u00d7");
    close.type = "button";
    close.title = "Close";
    close.addEventListener("click", function () { show(null); });
    details.appendChild(close);
    details.appendChild(card(info));
    (threadsOf[id] || []).forEach(function (t) { details.appendChild(threadBox(t, id)); });
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
    show(infoOf(nodes.get(id)), id);
  }

  select.addEventListener("change", function () { focusOn(select.value ? [select.value] : null); });
  document.getElementById("kg-back").addEventListener("click", function () { select.value = ""; focusOn(null); });

  network.on("click", function (params) {
    if (inOverview && params.nodes.length) {
      var group = overview.nodes.get(params.nodes[0]);
      show(infoOf(group));
      focusOn(group.focus);
    } else if (params.nodes.length) { show(infoOf(nodes.get(params.nodes[0])), params.nodes[0]); }
    else if (params.edges.length) { show(infoOf((inOverview ? overview.edges : edges).get(params.edges[0]))); }
  });

  // Select a node; one not on screen is shown with its neighbourhood (every kind and relation switched back on, and the
  // article and date filters cleared if they leave it out).
  function reveal(id) {
    if (shown[id] && network.body.data.nodes.get(id)) { pick(id); return; }
    Object.keys(state.kinds).forEach(function (k) { state.kinds[k] = true; });
    Object.keys(state.relations).forEach(function (k) { state.relations[k] = true; });
    Array.prototype.forEach.call(document.querySelectorAll("#kg-kinds input, #kg-relations input"), function (b) { b.checked = true; });
    computeFiltered();
    if (!passing[id]) { setFilters("", "", ""); }
    focusOn([id], function () { pick(id); });
  }

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
    if (found) { reveal(found.id); }
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
