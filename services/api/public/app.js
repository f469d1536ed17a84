// The dashboard: one EventSource for everything live; the key is sent once to
// /v1/session and the browser keeps only the HttpOnly cookie it gets back.
const $ = (selector) => document.querySelector(selector)
const HISTORY = 120 // seconds of throughput per chart

const charts = new Map() // queue name -> { plot, times, completed, failed, last }
let source

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  for (const child of children) node.append(child)
  return node
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

async function start() {
  const info = await api('GET', '/v1')
  if (info.status === 401) return showLogin()
  $('#namespace').textContent = `namespace ${info.body.namespace}`
  $('#login').hidden = true
  $('#app').hidden = false
  $('#logout').hidden = false
  connect()
  loadObjects()
}

function showLogin() {
  $('#app').hidden = true
  $('#logout').hidden = true
  $('#login').hidden = false
  $('#authkey').focus()
}

$('#login').addEventListener('submit', async (event) => {
  event.preventDefault()
  const reply = await api('POST', '/v1/session', { authkey: $('#authkey').value })
  $('#authkey').value = ''
  if (reply.status === 204) {
    $('#login-error').textContent = ''
    start()
  } else {
    $('#login-error').textContent = reply.body?.error?.message ?? 'login failed'
  }
})

$('#logout').addEventListener('click', async () => {
  source?.close()
  await api('DELETE', '/v1/session')
  showLogin()
})

function connect() {
  source?.close()
  source = new EventSource('/v1/events')
  source.addEventListener('open', () => setLive(true))
  source.addEventListener('error', async () => {
    setLive(false)
    // A 401 closes the stream for good: the session ended.
    if (source.readyState === EventSource.CLOSED && (await api('GET', '/v1')).status === 401) {
      showLogin()
    }
  })
  source.addEventListener('state', (event) => render(JSON.parse(event.data)))
  for (const type of ['worker:up', 'worker:down', 'queue:drained', 'queue:joined', 'job:failed']) {
    source.addEventListener(type, (event) => logEvent(type, JSON.parse(event.data)))
  }
}

function setLive(on) {
  $('#live').dataset.state = on ? 'on' : 'off'
  $('#live').textContent = on ? 'live' : 'reconnecting'
}

function render(state) {
  renderQueues(state.queues, state.at)
  renderWorkers(state.workers, state.at)
  renderSync(state.sync)
}

const COUNTS = ['waiting', 'active', 'delayed', 'completed', 'failed', 'unfinished']

function renderQueues(queues, at) {
  const container = $('#queues')
  container.querySelector('.empty')?.toggleAttribute('hidden', queues.length > 0)
  for (const queue of queues) {
    let card = container.querySelector(`[data-queue="${CSS.escape(queue.name)}"]`)
    if (!card) {
      card = el(
        'article',
        { class: 'card', 'data-queue': queue.name },
        el('h3', {}, queue.name, el('span', { class: 'rate' })),
        el(
          'div',
          { class: 'counts' },
          ...COUNTS.map((count) =>
            el(
              'div',
              { class: count },
              el('b', { 'data-count': count }, '0'),
              el('span', {}, count),
            ),
          ),
        ),
        el('div', { class: 'chart' }),
      )
      container.append(card)
      charts.set(queue.name, makeChart(card.querySelector('.chart')))
    }
    for (const count of COUNTS)
      card.querySelector(`[data-count="${count}"]`).textContent = queue[count]
    card.querySelector('.rate').textContent =
      `${queue.completedPerSecond.toFixed(1)}/s done · ${queue.failedPerSecond.toFixed(1)}/s failed`
    // The chart shows each second's own rate, from the lifetime totals; the
    // heading the minute's average.
    const chart = charts.get(queue.name)
    const seconds = chart.last ? (at - chart.last.at) / 1000 : 0
    const rate = (outcome) =>
      seconds > 0 ? Math.max(0, queue.totals[outcome] - chart.last.totals[outcome]) / seconds : 0
    chart.times.push(at / 1000)
    chart.completed.push(rate('completed'))
    chart.failed.push(rate('failed'))
    chart.last = { at, totals: queue.totals }
    for (const series of [chart.times, chart.completed, chart.failed]) {
      if (series.length > HISTORY) series.shift()
    }
    chart.plot.setData([chart.times, chart.completed, chart.failed])
  }
}

function makeChart(target) {
  const chart = { times: [], completed: [], failed: [] }
  chart.plot = new uPlot(
    {
      width: 300,
      height: 110,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true } },
      axes: [
        { size: 24, font: '10px system-ui' },
        { size: 36, font: '10px system-ui' },
      ],
      series: [
        {},
        { label: 'completed/s', stroke: '#3b5bdb', fill: 'rgba(59,91,219,.12)', width: 2 },
        { label: 'failed/s', stroke: '#c92a2a', width: 1.5 },
      ],
    },
    [[], [], []],
    target,
  )
  return chart
}

function renderWorkers(workers, at) {
  const body = $('#workers tbody')
  body.replaceChildren(
    ...workers.map((worker) =>
      el(
        'tr',
        { 'data-worker-id': worker.id, 'data-state': worker.state },
        el('td', {}, el('span', { class: 'badge' }, worker.state)),
        el('td', {}, worker.host),
        el('td', {}, String(worker.pid)),
        el('td', {}, worker.queue),
        el('td', {}, String(worker.concurrency)),
        el('td', {}, String(worker.processed)),
        el('td', {}, String(worker.failed)),
        el('td', {}, worker.current.join(', ') || '—'),
        el('td', {}, `${Math.max(0, Math.round((at - worker.lastSeenAt) / 1000))} s ago`),
      ),
    ),
  )
  if (workers.length === 0)
    body.append(el('tr', {}, el('td', { colspan: '9', class: 'muted' }, 'No worker is serving.')))
}

function describeSync(object) {
  switch (object.kind) {
    case 'lock':
    case 'rlock':
      return object.held
        ? `held by ${object.holder.slice(0, 8)}… token ${object.fencingToken}${object.level > 1 ? ` ×${object.level}` : ''}, lease ${Math.round(object.leaseMs / 1000)} s`
        : 'free'
    case 'semaphore':
    case 'bounded-semaphore':
      return `value ${object.value} of ${object.initial}, ${object.holders.length} held`
    case 'barrier':
      return object.broken
        ? 'broken'
        : `${object.waiting} of ${object.parties} arrived (generation ${object.generation})`
    case 'event':
      return object.set ? 'set' : 'clear'
    default:
      return ''
  }
}

function renderSync(objects) {
  const body = $('#sync tbody')
  body.replaceChildren(
    ...objects.map((object) =>
      el(
        'tr',
        {},
        el('td', {}, object.kind),
        el('td', {}, object.of ? `${object.name} (${object.of})` : object.name),
        el('td', {}, describeSync(object)),
        el('td', {}, String(object.waiters)),
      ),
    ),
  )
  if (objects.length === 0)
    body.append(
      el(
        'tr',
        {},
        el(
          'td',
          { colspan: '4', class: 'muted' },
          'No lock, semaphore, barrier, event or condition in use.',
        ),
      ),
    )
}

function logEvent(type, data) {
  const what = data.queue
    ? `${data.queue}${data.count ? ` ×${data.count}` : ''}`
    : `${data.host ?? ''} pid ${data.pid ?? ''}`
  const item = el('li', {}, el('time', {}, new Date().toLocaleTimeString()), `${type} `, what)
  $('#events').prepend(item)
  while ($('#events').children.length > 200) $('#events').lastChild.remove()
}

const PATHS = { dict: 'dicts', list: 'lists', namespace: 'namespaces', value: 'values' }

async function loadObjects() {
  const reply = await api('GET', '/v1/objects')
  const objects = (reply.body?.objects ?? []).filter((object) => PATHS[object.kind])
  $('#objects').replaceChildren(
    ...objects.map((object) => {
      const button = el(
        'button',
        { type: 'button' },
        el('span', { class: 'kind' }, object.kind),
        object.name,
      )
      button.addEventListener('click', () => showObject(object))
      return el('li', {}, button)
    }),
  )
  if (objects.length === 0)
    $('#objects').append(
      el('li', { class: 'muted' }, 'No shared dict, list, namespace or value yet.'),
    )
}

async function showObject(object) {
  const reply = await api('GET', `/v1/${PATHS[object.kind]}/${encodeURIComponent(object.name)}`)
  const view = $('#object-view')
  view.classList.remove('muted')
  view.textContent = `${object.kind} '${object.name}'\n\n${JSON.stringify(reply.body, null, 2)}`
}

$('#refresh-objects').addEventListener('click', loadObjects)
start()
