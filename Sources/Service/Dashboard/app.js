'use strict';

// Alleycat dashboard: an all-time leaderboard, race results and live rankings for one
// class. Plain browser JavaScript, no build step. Every string from the server reaches
// the DOM through textContent, never innerHTML.

const CLASS_NAMES = {
  1: 'Recovery Ride', 2: 'Endurance', 3: 'Tempo', 4: 'Hill Climb', 5: 'Intervals', 6: 'Sprint',
};
const MEASURE_LABELS = { total: 'Total', best: 'Best', final: 'Final' };
const LEADERBOARD_LIMIT = 20;
const LIVE_LIMIT = 10;
const RACE_SECONDS = 300;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const STABLE_SOCKET_MS = 10000;
const POLL_MS = 1000;
const RESULTS_REFRESH_MS = 10000;
// `?demo` polls /rankings?view=now while the WebSocket is down (mock or servers without /live).
const DEMO = new URLSearchParams(location.search).has('demo');

const state = {
  classId: 1,
  racerId: null,        // followed racer, or null
  measure: 'total',
  view: 'now',          // 'now' | 'alltime'
  allClasses: false,
  leaderboard: [],
  races: [],
  raceId: null,         // race shown in the results panel
  results: null,        // last /races/{id}/results body
  live: null,           // last "now" update: {classId, raceId, second, entries, racer}
  alltime: null,        // last view=alltime body
  history: null,        // {table, racerCount, secondCount} or null
  lastAnnouncedRank: null,
  racerPending: false,  // followed racer changed; state.live.racer is still the old one's
};

const live = {
  socket: null,
  retryTimer: null,
  retryDelay: BACKOFF_MIN_MS,
  pollTimer: null,
  status: 'disconnected',
  alltimeBusy: false,
  alltimePending: false,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- formatting

const outputFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const signedFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const dateFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});

function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

function formatOutput(value) {
  return isNumber(value) ? outputFormat.format(value) : '—';
}

function formatId(value) {
  return value === null || value === undefined ? '—' : String(value);
}

function formatClock(second) {
  const s = Math.max(0, Number(second) || 0);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function className(classId) {
  return `Class ${classId}${CLASS_NAMES[classId] ? ` · ${CLASS_NAMES[classId]}` : ''}`;
}

// ---------------------------------------------------------------- DOM helpers

function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

// A table cell; `spec` is {text, className} or {node, className}.
function cell(spec) {
  const td = el('td', { className: spec.className });
  if (spec.node) td.append(spec.node);
  else td.textContent = spec.text ?? '';
  return td;
}

function row(cells, className = '') {
  return el('tr', { className }, cells.map(cell));
}

// A name with the racer id beside it, both as text.
function nameNode(name, racerId, extra) {
  const span = el('span', { className: 'name' });
  const label = name || `Racer ${formatId(racerId)}`;
  span.append(el('span', { className: 'name-text', text: label, attrs: { title: label } }));
  if (racerId !== undefined && racerId !== null) {
    span.append(el('span', { className: 'muted id', text: `#${racerId}` }));
  }
  if (extra) span.append(extra);
  return span;
}

function setMessage(id, text, kind = 'info') {
  const node = $(id);
  node.textContent = text || '';
  node.dataset.kind = text ? kind : '';
}

function isFollowed(racerId) {
  return state.racerId !== null && Number(racerId) === state.racerId;
}

function announce(text) {
  $('live-announce').textContent = text;
}

// ---------------------------------------------------------------- HTTP

class ApiError extends Error {}

const isAbort = (err) => err && err.name === 'AbortError';

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) search.set(key, String(value));
  }
  return search.toString();
}

// GET a JSON body; HTTP errors become ApiError with the server's {"error": "..."} text.
async function fetchJSON(path, signal) {
  let resp;
  try {
    resp = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError('Could not reach the server.');
  }
  let body = null;
  try {
    body = await resp.json();
  } catch (err) {
    if (isAbort(err)) throw err;
  }
  if (!resp.ok) {
    // Show the server's own words; the bare status only when it gave none.
    const detail = body && typeof body.error === 'string' && body.error ? body.error : `HTTP ${resp.status} ${resp.statusText}`;
    throw new ApiError(detail.trim());
  }
  if (body === null || typeof body !== 'object') throw new ApiError('The server did not send JSON.');
  return body;
}

// One request per slot: a newer request cancels the older one, so a slow answer for a
// class the user already left never overwrites the current one.
const inflight = new Map();

function request(slot, path) {
  inflight.get(slot)?.abort();
  const controller = new AbortController();
  inflight.set(slot, controller);
  return fetchJSON(path, controller.signal).finally(() => {
    if (inflight.get(slot) === controller) inflight.delete(slot);
  });
}

// ---------------------------------------------------------------- URL hash

function parseRacerId(text) {
  const trimmed = String(text ?? '').trim();
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : null;
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const classId = Number(params.get('class'));
  return {
    classId: CLASS_NAMES[classId] ? classId : 1,
    racerId: parseRacerId(params.get('racer')),
  };
}

function writeHash() {
  const params = new URLSearchParams({ class: String(state.classId) });
  if (state.racerId !== null) params.set('racer', String(state.racerId));
  const hash = `#${params}`;
  // replaceState: choosing a class should not fill the back button with entries.
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function applyHash() {
  const { classId, racerId } = readHash();
  const classChanged = classId !== state.classId;
  const racerChanged = racerId !== state.racerId;
  state.classId = classId;
  state.racerId = racerId;
  $('class-select').value = String(classId);
  $('racer-input').value = racerId === null ? '' : String(racerId);
  writeHash();
  if (classChanged) loadClass();
  else if (racerChanged) followRacerChanged();
}

// ---------------------------------------------------------------- panel 1: leaderboard

async function loadLeaderboard() {
  const { classId, measure } = state;
  $('leaderboard-value-head').textContent = MEASURE_LABELS[measure];
  $('leaderboard-caption').textContent = `All-time leaderboard, ${className(classId)}, by ${measure} output`;
  setMessage('leaderboard-message', 'Loading…');
  try {
    const data = await request('leaderboard',
      `/leaderboard?${query({ classId, by: measure, limit: LEADERBOARD_LIMIT })}`);
    state.leaderboard = Array.isArray(data.entries) ? data.entries : [];
    renderLeaderboard();
  } catch (err) {
    if (isAbort(err)) return;
    state.leaderboard = [];
    renderLeaderboard();
    setMessage('leaderboard-message', err.message, 'error');
  }
}

function renderLeaderboard() {
  const rows = state.leaderboard.map((entry) => row([
    { text: formatId(entry.rank), className: 'num rank' },
    { node: nameNode(entry.name, entry.racerId), className: 'name-cell' },
    { text: formatOutput(entry.value), className: 'num strong' },
    { node: raceLink(entry.raceId), className: 'num' },
  ], isFollowed(entry.racerId) ? 'is-followed' : ''));
  $('leaderboard-table').tBodies[0].replaceChildren(...rows);
  $('leaderboard-table').closest('.table-wrap').hidden = !rows.length;
  setMessage('leaderboard-message', rows.length ? '' : 'No finished races in this class yet.');
}

// The race id in the leaderboard opens that race in the results panel.
function raceLink(raceId) {
  if (raceId === null || raceId === undefined) return document.createTextNode('—');
  const button = el('button', {
    className: 'link', text: String(raceId),
    attrs: { type: 'button', title: `Show results of race ${raceId}` },
  });
  button.addEventListener('click', () => selectRace(raceId));
  return button;
}

// ---------------------------------------------------------------- panel 2: race results

async function loadRaces() {
  const select = $('race-select');
  select.disabled = true;
  try {
    const data = await request('races', `/races?${query({ classId: state.classId })}`);
    state.races = Array.isArray(data.races) ? data.races : [];
  } catch (err) {
    if (isAbort(err)) return;
    state.races = [];
    fillRaceSelect('Races unavailable');
    setMessage('results-message', err.message, 'error');
    return;
  }
  fillRaceSelect();
  if (!state.races.length) {
    state.results = null;
    renderResults();
    return;
  }
  // Keep the chosen race across refreshes; otherwise show the newest.
  const ids = state.races.map((race) => String(race.raceId));
  if (state.raceId === null || !ids.includes(String(state.raceId))) state.raceId = state.races[0].raceId;
  select.value = String(state.raceId);
  loadResults();
}

function describeRace(race) {
  const parts = [`#${race.raceId}`];
  if (isNumber(race.startMillis)) parts.push(dateFormat.format(new Date(race.startMillis)));
  if (race.status) parts.push(String(race.status));
  if (isNumber(race.racerCount)) parts.push(`${race.racerCount} racers`);
  return parts.join(' · ');
}

function fillRaceSelect(emptyText = 'No races yet') {
  const select = $('race-select');
  const options = state.races.map((race) => el('option', {
    text: describeRace(race), attrs: { value: String(race.raceId) },
  }));
  if (!options.length) options.push(el('option', { text: emptyText, attrs: { value: '' } }));
  select.replaceChildren(...options);
  select.disabled = !state.races.length;
}

function selectRace(raceId) {
  const select = $('race-select');
  // A race from the leaderboard may be older than the selector's list: add it.
  if (![...select.options].some((option) => option.value === String(raceId))) {
    select.append(el('option', { text: `#${raceId}`, attrs: { value: String(raceId) } }));
    select.disabled = false;
  }
  select.value = String(raceId);
  state.raceId = raceId;
  loadResults();
  select.focus();
}

let resultsRefreshTimer = null;

async function loadResults() {
  clearTimeout(resultsRefreshTimer);
  const raceId = state.raceId;
  if (raceId === null) return;
  if (!state.results || String(state.results.raceId) !== String(raceId)) setMessage('results-message', 'Loading…');
  try {
    state.results = await request('results', `/races/${encodeURIComponent(raceId)}/results`);
  } catch (err) {
    if (isAbort(err)) return;
    state.results = null;
    $('results-groups').replaceChildren();
    setMessage('results-message', err.message, 'error');
    return;
  }
  renderResults();
  // A running race's results grow as it goes: refresh them now and then.
  const race = state.races.find((r) => String(r.raceId) === String(raceId));
  if (race && race.status === 'running') resultsRefreshTimer = setTimeout(loadResults, RESULTS_REFRESH_MS);
}

// Results grouped by class, ranks ascending.
function groupResults(results) {
  const groups = new Map();
  for (const result of results) {
    const key = Number(result.classId);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(result);
  }
  for (const list of groups.values()) list.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
  return [...groups.entries()].sort((a, b) => a[0] - b[0]);
}

function renderResults() {
  const container = $('results-groups');
  if (!state.results) {
    container.replaceChildren();
    setMessage('results-message', state.races.length ? '' : 'No races in this class yet.');
    return;
  }
  const groups = groupResults(Array.isArray(state.results.results) ? state.results.results : []);
  const shown = state.allClasses ? groups : groups.filter(([classId]) => classId === state.classId);
  container.replaceChildren(...shown.map(([classId, list]) => resultsTable(classId, list)));
  const others = groups.filter(([classId]) => classId !== state.classId).length;
  if (!groups.length) setMessage('results-message', `Race ${state.results.raceId} has no results yet.`);
  else if (!shown.length) {
    setMessage('results-message',
      `No ${className(state.classId)} racers in race ${state.results.raceId}; ` +
      `${others} other class${others === 1 ? '' : 'es'} raced in it.`);
  } else setMessage('results-message', '');
}

function resultsTable(classId, results) {
  const table = el('table');
  table.append(el('caption', {
    className: state.allClasses ? 'group-caption' : 'visually-hidden',
    text: `${className(classId)} (${results.length} racer${results.length === 1 ? '' : 's'})`,
  }));
  // The racer id sits beside the name (as in the other panels) so the table fits its panel.
  const head = [['Rank', 'num'], ['Name', ''], ['Total', 'num'], ['Best', 'num'], ['Final', 'num'], ['Secs', 'num']];
  const headRow = el('tr', {}, head.map(([label, cls]) => el('th', { text: label, className: cls, attrs: { scope: 'col' } })));
  const secs = el('abbr', { text: 'Secs', attrs: { title: 'Seconds reported' } });
  headRow.lastChild.replaceChildren(secs);
  table.append(el('thead', {}, [headRow]));
  table.append(el('tbody', {}, results.map((result) => row([
    { text: formatId(result.rank), className: 'num rank' },
    { node: nameNode(result.name, result.racerId), className: 'name-cell' },
    { text: formatOutput(result.totalOutput), className: 'num strong' },
    { text: formatOutput(result.bestOutput), className: 'num' },
    { text: formatOutput(result.finalOutput), className: 'num' },
    { text: formatId(result.secondsReported), className: 'num' },
  ], isFollowed(result.racerId) ? 'is-followed' : ''))));
  return el('div', { className: 'table-wrap' }, [table]);
}

// ---------------------------------------------------------------- panel 3: live connection

function liveUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const params = query({ classId: state.classId, racerId: state.racerId, limit: LIVE_LIMIT });
  return `${scheme}//${location.host}/live?${params}`;
}

const CONNECTION_TEXT = {
  live: 'live', connecting: 'connecting…', polling: 'disconnected · polling', disconnected: 'disconnected',
};

function setConnection(status, detail = '') {
  const node = $('conn');
  node.className = `conn conn-${status}`;
  $('conn-text').textContent = detail ? `${CONNECTION_TEXT[status]} · ${detail}` : CONNECTION_TEXT[status];
  // Tell screen readers about going live or dropping, not about every retry.
  const wasLive = live.status === 'live';
  if ((status === 'live') !== wasLive) announce(status === 'live' ? 'Live rankings connected.' : 'Live rankings disconnected.');
  live.status = status;
}

// Close the socket without triggering a reconnect (we are replacing it).
function closeSocket() {
  const socket = live.socket;
  live.socket = null;
  if (!socket) return;
  socket.onclose = null;
  socket.onmessage = null;
  socket.onerror = null;
  // Closing a socket that is still connecting logs a browser warning; close it once open.
  if (socket.readyState === WebSocket.CONNECTING) socket.onopen = () => socket.close();
  else socket.close();
}

function connectLive() {
  clearTimeout(live.retryTimer);
  live.retryTimer = null;
  closeSocket();
  if (!('WebSocket' in window)) {
    setConnection(DEMO ? 'polling' : 'disconnected', 'no WebSocket in this browser');
    if (DEMO) startPolling();
    return;
  }
  let socket;
  try {
    socket = new WebSocket(liveUrl());
  } catch (err) {
    scheduleReconnect();
    return;
  }
  live.socket = socket;
  if (live.status !== 'polling') setConnection('connecting');
  let openedAt = null;
  socket.onopen = () => {
    openedAt = Date.now();
    stopPolling();
    setConnection('live');
  };
  socket.onmessage = (event) => handleLiveMessage(event.data);
  socket.onerror = () => {}; // a close event always follows; reconnect happens there
  socket.onclose = () => {
    if (live.socket !== socket) return;
    live.socket = null;
    // Start the backoff over only if the socket had stayed up: a server that accepts and
    // drops at once should still be retried slower and slower.
    if (openedAt !== null && Date.now() - openedAt >= STABLE_SOCKET_MS) live.retryDelay = BACKOFF_MIN_MS;
    scheduleReconnect();
  };
}

// Exponential backoff with jitter, so many dashboards do not reconnect in lockstep.
function scheduleReconnect() {
  const delay = Math.round(live.retryDelay * (0.8 + Math.random() * 0.4));
  live.retryDelay = Math.min(live.retryDelay * 2, BACKOFF_MAX_MS);
  live.retryTimer = setTimeout(connectLive, delay);
  if (DEMO) startPolling();
  setConnection(DEMO ? 'polling' : 'disconnected', `retry in ${Math.max(1, Math.round(delay / 1000))} s`);
}

// A new subscription (class or racer changed). `?demo` polling, if running, goes on: it
// reads the current class and racer on each tick, and stops once the socket opens.
function restartLive() {
  live.retryDelay = BACKOFF_MIN_MS;
  connectLive();
}

function startPolling() {
  if (live.pollTimer !== null) return;
  const tick = async () => {
    await loadLiveSnapshot();
    if (live.pollTimer !== null) live.pollTimer = setTimeout(tick, POLL_MS);
  };
  live.pollTimer = setTimeout(tick, 0);
}

function stopPolling() {
  clearTimeout(live.pollTimer);
  live.pollTimer = null;
}

function handleLiveMessage(text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return;
  }
  if (!message || message.type !== 'rankings') return;
  if (Number(message.classId) !== state.classId) return; // from a class we just left
  acceptLiveUpdate(message);
}

// The "now" rankings once, over HTTP: fills the panel before the first socket message,
// and is the `?demo` polling step.
async function loadLiveSnapshot() {
  const classId = state.classId;
  try {
    const data = await request('live-now', `/rankings?${query({
      classId, view: 'now', limit: LIVE_LIMIT, racerId: state.racerId,
    })}`);
    if (classId === state.classId) acceptLiveUpdate(data);
  } catch (err) {
    if (isAbort(err) || classId !== state.classId) return;
    if (!state.live) {
      setMessage('live-message', err.message, 'info');
      renderLive();
    }
  }
}

function acceptLiveUpdate(update) {
  const previous = state.live;
  const sameRace = previous && previous.raceId === update.raceId;
  if (sameRace && Number(update.second) < Number(previous.second)) return; // out of order
  state.live = update;
  state.racerPending = false;
  setMessage('live-message', '');
  if (previous && !sameRace) {
    // A new race started: its id belongs in the selector, and the last race may have
    // been merged into the class's history file by now.
    loadRaces();
    loadHistory();
  }
  renderLive();
  requestAlltime();
}

// ---------------------------------------------------------------- panel 3: all-time view

// One view=alltime request at a time; a second that arrives meanwhile is fetched next
// (only the newest), so a slow server never builds a queue.
async function requestAlltime() {
  if (state.view !== 'alltime' || !state.live) return;
  if (live.alltimeBusy) {
    live.alltimePending = true;
    return;
  }
  live.alltimeBusy = true;
  const { classId, racerId } = state;
  const second = state.live.second;
  try {
    const data = await fetchJSON(`/rankings?${query({
      classId, view: 'alltime', second, limit: LIVE_LIMIT, racerId,
    })}`);
    if (classId === state.classId && racerId === state.racerId && state.view === 'alltime') {
      state.alltime = data;
      setMessage('live-message', '');
      renderLive();
    }
  } catch (err) {
    if (classId === state.classId && state.view === 'alltime') setMessage('live-message', err.message, 'error');
  } finally {
    live.alltimeBusy = false;
    if (live.alltimePending) {
      live.alltimePending = false;
      requestAlltime();
    }
  }
}

// ---------------------------------------------------------------- panel 3: rendering

function renderLive() {
  renderRaceClock();
  const alltime = state.view === 'alltime';
  $('live-extra-head').textContent = alltime ? 'Record' : 'Best';
  $('neighbours-extra-head').textContent = alltime ? 'Record' : 'Best';
  $('live-legend').hidden = !alltime;
  $('live-caption').textContent = alltime
    ? `Top ${LIVE_LIMIT} all time at this second, ${className(state.classId)}`
    : `Top ${LIVE_LIMIT} here now, ${className(state.classId)}`;
  const source = alltime ? state.alltime : state.live;
  const entries = source && Array.isArray(source.entries) ? source.entries : [];
  $('live-table').tBodies[0].replaceChildren(...entries.map((entry) => liveRow(entry, alltime)));
  $('live-table').closest('.table-wrap').hidden = !entries.length;
  if (!entries.length && !$('live-message').textContent) {
    setMessage('live-message', emptyLiveText(alltime));
  }
  renderFollowed();
}

function emptyLiveText(alltime) {
  if (!state.live) return 'No live race data yet.';
  if (alltime && !state.alltime) return 'Loading all-time rankings…';
  return alltime ? 'No records at this second yet.' : 'No racers reported this second.';
}

function renderRaceClock() {
  const update = state.live;
  const clock = $('race-clock');
  clock.replaceChildren();
  if (!update) {
    clock.textContent = 'Waiting for the race…';
    return;
  }
  const second = Number(update.second) || 0;
  const text = el('span', {}, [
    document.createTextNode('Race '), el('strong', { text: formatId(update.raceId) }),
    document.createTextNode(' · second '), el('strong', { text: String(second) }),
    el('span', { className: 'muted', text: ` (${formatClock(second)} of ${formatClock(RACE_SECONDS)})` }),
  ]);
  clock.append(text);
  const bar = el('progress', {
    attrs: { max: String(RACE_SECONDS), value: String(Math.min(second, RACE_SECONDS)), 'aria-label': 'Race progress' },
  });
  clock.append(bar);
}

function liveRow(entry, alltime) {
  const classes = [];
  if (isFollowed(entry.racerId)) classes.push('is-followed');
  if (alltime && entry.live) classes.push('is-live');
  // Live rows are told apart by colour and, for screen readers, by hidden text; a new
  // record gets a visible star as well.
  let badge = null;
  if (alltime && (entry.live || entry.newRecord)) {
    badge = el('span', { className: 'marks' });
    if (entry.newRecord) {
      badge.append(el('span', {
        className: 'record-star', text: '★', attrs: { title: 'New all-time record at this second', 'aria-hidden': 'true' },
      }));
    }
    const spoken = entry.newRecord ? 'riding now, new record' : 'riding now';
    badge.append(el('span', { className: 'visually-hidden', text: `(${spoken})` }));
  }
  return row([
    { text: formatId(entry.rank), className: 'num rank' },
    { node: nameNode(entry.name, entry.racerId, badge), className: 'name-cell' },
    { text: formatOutput(entry.output), className: 'num strong' },
    { text: formatOutput(alltime ? entry.record : entry.best), className: 'num' },
  ], classes.join(' '));
}

// The followed racer's own entry plus neighbours, de-duplicated and in rank order.
function followedRows(racer) {
  const byId = new Map();
  for (const entry of [...(racer.neighbours || []), racer.entry]) {
    if (entry && entry.racerId !== undefined) byId.set(String(entry.racerId), entry);
  }
  return [...byId.values()].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
}

function renderFollowed() {
  const box = $('followed');
  if (state.racerId === null) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const alltime = state.view === 'alltime';
  const nowRacer = state.live && !state.racerPending ? state.live.racer : null;
  const viewRacer = alltime ? state.alltime && state.alltime.racer : nowRacer;
  const name = (nowRacer && nowRacer.entry && nowRacer.entry.name) || (viewRacer && viewRacer.entry && viewRacer.entry.name);
  $('followed-title').textContent = name ? `Following ${name} (#${state.racerId})` : `Following racer #${state.racerId}`;

  $('followed-stats').replaceChildren(...followedStats(nowRacer, viewRacer, alltime));
  const rows = viewRacer ? followedRows(viewRacer).map((entry) => liveRow(entry, alltime)) : [];
  $('neighbours-table').tBodies[0].replaceChildren(...rows);
  $('neighbours-table').closest('.table-wrap').hidden = !rows.length;
  announceRank(name, nowRacer);
}

// One label/value pair; a <div> around dt+dd keeps the pair together in the grid.
function stat(label, value, className = '') {
  return el('div', { className: 'stat' }, [el('dt', { text: label }), el('dd', { text: value, className })]);
}

function followedStats(nowRacer, viewRacer, alltime) {
  if (!state.live || state.racerPending) return [stat('Status', 'waiting for live data')];
  if (!nowRacer || !nowRacer.entry) return [stat('Status', `not riding in race ${formatId(state.live.raceId)}`)];
  const entry = nowRacer.entry;
  const second = Number(state.live.second);
  const items = [
    stat('Rank here now', `#${formatId(entry.rank)}`, 'strong'),
    stat('Output', formatOutput(entry.output), 'strong'),
    stat('Best this race', formatOutput(entry.best)),
  ];
  if (alltime && viewRacer && viewRacer.entry) {
    const mark = viewRacer.entry.newRecord ? ' ★ new record' : '';
    items.push(stat('Rank all time', `#${formatId(viewRacer.entry.rank)}${mark}`));
  }
  items.push(...historyStats(second, entry.output));
  return items;
}

// ---------------------------------------------------------------- history file

// All-time comparison computed in the browser from class-N.gz, as the original frontend did.
function historyStats(second, output) {
  const label = `All-time best at second ${second}`;
  if (!state.history) return [stat(label, 'no history loaded', 'muted')];
  const best = historyBest(second, state.racerId);
  const items = [stat(label, best === null ? 'no record yet' : formatOutput(best))];
  if (best !== null && isNumber(output)) {
    const diff = output - best;
    items.push(stat('Versus best', signedFormat.format(Number(diff.toFixed(2))), diff > 0 ? 'good' : diff < 0 ? 'bad' : ''));
  }
  const place = historyRank(second, state.racerId, output);
  if (place) items.push(stat('Against history', `#${place.rank} of ${place.of}`));
  return items;
}

function historyBest(second, racerId) {
  const bySecond = state.history && state.history.table[String(second)];
  const value = bySecond ? bySecond[String(racerId)] : undefined;
  return isNumber(value) ? value : null;
}

// Where this output would rank among everyone else's all-time best at that second.
function historyRank(second, racerId, output) {
  const bySecond = state.history && state.history.table[String(second)];
  if (!bySecond || !isNumber(output)) return null;
  let better = 0;
  let others = 0;
  for (const [id, value] of Object.entries(bySecond)) {
    if (id === String(racerId)) continue;
    others += 1;
    if (value > output) better += 1;
  }
  return { rank: better + 1, of: others + 1 };
}

function summarizeHistory(table) {
  const racers = new Set();
  let seconds = 0;
  for (const bySecond of Object.values(table)) {
    seconds += 1;
    if (bySecond && typeof bySecond === 'object') for (const id of Object.keys(bySecond)) racers.add(id);
  }
  return { table, racerCount: racers.size, secondCount: seconds };
}

let historyController = null;

// The server sends raw gzip bytes (Content-Type: application/gzip, no Content-Encoding),
// so the browser does not unzip it for us: DecompressionStream does.
async function loadHistory() {
  const classId = state.classId;
  historyController?.abort();
  const controller = new AbortController();
  historyController = controller;
  const status = $('history-status');
  status.textContent = state.history ? status.textContent : 'history: loading…';
  try {
    const resp = await fetch(`/history/class-${classId}.gz`, { signal: controller.signal });
    if (resp.status === 404) {
      state.history = null;
      status.textContent = 'history: none yet for this class (no race merged so far)';
      return;
    }
    if (!resp.ok) throw new ApiError(`HTTP ${resp.status}`);
    if (typeof DecompressionStream === 'undefined') throw new ApiError('this browser cannot gunzip (no DecompressionStream)');
    const table = await new Response(resp.body.pipeThrough(new DecompressionStream('gzip'))).json();
    if (!table || typeof table !== 'object') throw new ApiError('not a JSON object');
    if (classId !== state.classId) return;
    state.history = summarizeHistory(table);
    status.textContent = `history: ${state.history.racerCount} racers, ${state.history.secondCount} seconds loaded`;
  } catch (err) {
    if (isAbort(err) || classId !== state.classId) return;
    state.history = null;
    status.textContent = `history: could not load (${err.message})`;
  } finally {
    if (historyController === controller) historyController = null;
  }
  renderFollowed();
}

function announceRank(name, nowRacer) {
  const rank = nowRacer && nowRacer.entry ? nowRacer.entry.rank : null;
  if (rank === state.lastAnnouncedRank) return;
  state.lastAnnouncedRank = rank;
  if (rank !== null && rank !== undefined) announce(`${name || `Racer ${state.racerId}`} is now rank ${rank}.`);
}

// ---------------------------------------------------------------- wiring

function resetLive() {
  state.live = null;
  state.alltime = null;
  state.history = null;
  state.lastAnnouncedRank = null;
  setMessage('live-message', '');
  $('history-status').textContent = 'history: loading…';
  renderLive();
}

// Everything depends on the class: reload all three panels.
function loadClass() {
  state.raceId = null;
  state.results = null;
  document.title = `Alleycat · ${className(state.classId)}`;
  loadLeaderboard();
  loadRaces();
  resetLive();
  restartLive();
  loadLiveSnapshot();
  loadHistory();
}

// The followed racer changes the live subscription and the highlights, not the data.
function followRacerChanged() {
  state.alltime = null;
  state.racerPending = state.live !== null;
  state.lastAnnouncedRank = null;
  renderLeaderboard();
  renderResults();
  renderLive();
  restartLive();
  loadLiveSnapshot();
}

function onRacerSubmit(event) {
  event.preventDefault();
  const input = $('racer-input');
  const text = input.value.trim();
  const racerId = text === '' ? null : parseRacerId(text);
  if (text !== '' && racerId === null) {
    $('racer-hint').textContent = 'A racer id is a whole number, 0 or more.';
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  $('racer-hint').textContent = '';
  input.removeAttribute('aria-invalid');
  if (racerId === state.racerId) return;
  state.racerId = racerId;
  writeHash();
  followRacerChanged();
}

function bindControls() {
  $('class-select').addEventListener('change', (event) => {
    state.classId = Number(event.target.value);
    writeHash();
    loadClass();
  });
  $('controls').addEventListener('submit', onRacerSubmit);
  $('measure-select').addEventListener('change', (event) => {
    state.measure = event.target.value;
    loadLeaderboard();
  });
  $('race-select').addEventListener('change', (event) => {
    if (!event.target.value) return;
    state.raceId = Number(event.target.value);
    loadResults();
  });
  $('all-classes').addEventListener('change', (event) => {
    state.allClasses = event.target.checked;
    renderResults();
  });
  for (const radio of document.querySelectorAll('input[name="view"]')) {
    radio.addEventListener('change', (event) => {
      state.view = event.target.value;
      setMessage('live-message', '');
      renderLive();
      requestAlltime();
    });
  }
  window.addEventListener('hashchange', applyHash);
}

function init() {
  bindControls();
  const { classId, racerId } = readHash();
  state.classId = classId;
  state.racerId = racerId;
  state.measure = $('measure-select').value;
  state.view = document.querySelector('input[name="view"]:checked').value;
  $('class-select').value = String(classId);
  $('racer-input').value = racerId === null ? '' : String(racerId);
  $('footer-mode').textContent = DEMO ? 'demo: polling /rankings when the socket is down' : '';
  writeHash();
  loadClass();
}

init();
