// The analysts' dashboard: signs in through the API, reads the analytics routes for a date range and draws
// them with ECharts (loaded before this script from /dashboard/echarts.min.js). No framework, no inline
// script or style (the page's Content-Security-Policy forbids both), and nothing from another origin.
(() => {
  'use strict';

  const TOKEN_KEY = 'ecicomm.dashboard.idToken';
  const EMAIL_KEY = 'ecicomm.dashboard.email';
  /**
   * The longest range the analytics API reports by day (functions/analytics/schemas.ts MAX_RANGE_DAYS); a longer one
   * (all data: years of replayed history beside today's orders) is drawn by month.
   */
  const MAX_RANGE_DAYS = 3 * 366;
  const DAY_MS = 86_400_000;

  const $ = (id) => document.getElementById(id);
  const el = {
    signIn: $('sign-in'),
    signInForm: $('sign-in-form'),
    signInButton: $('sign-in-button'),
    signInError: $('sign-in-error'),
    email: $('email'),
    password: $('password'),
    who: $('who'),
    whoEmail: $('who-email'),
    signOut: $('sign-out'),
    dashboard: $('dashboard'),
    rangeForm: $('range-form'),
    start: $('start-date'),
    end: $('end-date'),
    last30: $('last-30-days'),
    allData: $('all-data'),
    rangeNote: $('range-note'),
    error: $('dashboard-error'),
    kpiOrders: $('kpi-orders'),
    kpiRevenue: $('kpi-revenue'),
    kpiAov: $('kpi-aov'),
    kpiConversion: $('kpi-conversion'),
    kpiNonMerchandise: $('kpi-non-merchandise'),
    dailyTitle: $('chart-daily-title'),
    dailyNote: $('chart-daily-note'),
    funnelNote: $('funnel-note'),
    insights: $('insights'),
    insightsNote: $('insights-note'),
  };

  // ------------------------------------------------------------------ formatting

  const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  const moneyFormats = new Map();
  /** Integer minor units (pence) → "£1,234.56". */
  const money = (minor, currency = 'GBP') => {
    if (!moneyFormats.has(currency)) {
      moneyFormats.set(
        currency,
        new Intl.NumberFormat('en-GB', {
          style: 'currency',
          currency,
          minimumFractionDigits: 2,
          maximumFractionDigits: 2,
        }),
      );
    }
    return moneyFormats.get(currency).format(minor / 100);
  };
  /** Axis ticks: whole pounds, "£1,234". */
  const moneyTick = (minor) => `£${integer.format(Math.round(minor / 100))}`;
  /** A rate in [0, 1] → "12.5%"; no sessions yet → "–". */
  const percent = (rate) => (typeof rate === 'number' && Number.isFinite(rate) ? `${(rate * 100).toFixed(1)}%` : '–');

  const isoDay = (date) => date.toISOString().slice(0, 10);
  const todayUtc = () => isoDay(new Date());
  const daysBefore = (day, n) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS));
  const daysIn = (startDate, endDate) =>
    Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / DAY_MS) + 1;

  // ------------------------------------------------------------------ the API

  class ApiError extends Error {
    constructor(status, code, message, details = []) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details;
    }
  }

  async function api(path, { method = 'GET', body } = {}) {
    const headers = { accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The API cannot be reached. Is the local platform running?');
    }
    let payload;
    try {
      payload = await res.json();
    } catch {
      payload = undefined;
    }
    if (!res.ok) {
      const error = payload && payload.error;
      throw new ApiError(
        res.status,
        (error && error.code) || `HTTP_${res.status}`,
        (error && error.message) || `The API answered ${res.status}.`,
        (error && Array.isArray(error.details) && error.details) || [],
      );
    }
    return payload;
  }

  /** The day report has a row for every day of the range, zeros included. */
  const hasSales = (row) => row.orders !== 0 || row.revenue !== 0;
  const query = (params) => new URLSearchParams(params).toString();
  const salesReport = (startDate, endDate, dimension) =>
    api(`/v1/analytics/reports/sales?${query({ startDate, endDate, dimension })}`);

  // ------------------------------------------------------------------ state and messages

  const setState = (state) => (document.body.dataset.state = state);
  const show = (node, text) => {
    node.textContent = text;
    node.hidden = !text;
  };

  /** `state` names why the form is back (for people reading the DOM, and for the browser test). */
  function showSignIn(message, state = message ? 'signed-out-with-error' : 'signed-out') {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(EMAIL_KEY);
    el.dashboard.hidden = true;
    el.who.hidden = true;
    el.signIn.hidden = false;
    show(el.signInError, message || '');
    el.password.value = '';
    setState(state);
    (el.email.value ? el.password : el.email).focus();
  }

  function showDashboard() {
    el.signIn.hidden = true;
    el.dashboard.hidden = false;
    el.who.hidden = false;
    el.whoEmail.textContent = sessionStorage.getItem(EMAIL_KEY) || '';
  }

  /** An API failure as the analyst sees it: signed out for auth failures, a visible message otherwise. */
  function handleFailure(error) {
    if (!(error instanceof ApiError))
      error = new ApiError(0, 'CLIENT', `The page failed: ${error && error.message ? error.message : error}`);
    if (error.status === 401) return showSignIn('Your session has expired. Sign in again.', 'expired');
    if (error.status === 403)
      return showSignIn(
        'This dashboard is for analyst or admin only. Sign in with an analyst or admin account.',
        'forbidden',
      );
    // The contract's error shape: a message, its code, and for a bad request which field is wrong and why.
    const details = error.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    show(
      el.error,
      `${error.message}${details ? ` — ${details}` : ''}${error.status > 0 && !error.code.startsWith('HTTP_') ? ` (${error.code})` : ''}`,
    );
    setState('error');
  }

  // ------------------------------------------------------------------ charts

  const charts = {};
  function chart(id) {
    // Created once the dashboard is visible: ECharts measures its container when it starts.
    charts[id] ??= echarts.init($(id), null, { renderer: 'canvas' });
    return charts[id];
  }
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

  const base = {
    animation: false,
    aria: { enabled: true },
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    // Rich-text tooltips draw on the canvas: no HTML with inline styles, which the CSP would refuse.
    tooltip: { renderMode: 'richText', confine: true },
  };
  const emptyTitle = (empty, text) => ({
    show: empty,
    text,
    left: 'center',
    top: 'middle',
    textStyle: { color: '#5b6478', fontSize: 14, fontWeight: 'normal' },
  });

  /** Revenue and orders by day, or by month ('YYYY-MM' keys on a category axis) over a range too long for days. */
  function drawDaily(rows, currency, dimension) {
    const byMonth = dimension === 'month';
    el.dailyTitle.textContent = `Revenue and orders by ${byMonth ? 'month' : 'day'}`;
    show(el.dailyNote, byMonth ? `By month: the range has more than ${integer.format(MAX_RANGE_DAYS)} days.` : '');
    chart('chart-daily').setOption(
      {
        ...base,
        title: emptyTitle(!rows.some(hasSales), 'No sales in this range'),
        tooltip: { ...base.tooltip, trigger: 'axis' },
        legend: { data: ['Revenue', 'Orders'], top: 0 },
        grid: { left: 80, right: 60, top: 40, bottom: 30 },
        dataZoom: [{ type: 'inside' }],
        xAxis: byMonth ? { type: 'category', data: rows.map((r) => r.key) } : { type: 'time' },
        yAxis: [
          { type: 'value', name: 'Revenue', axisLabel: { formatter: moneyTick } },
          { type: 'value', name: 'Orders', minInterval: 1, splitLine: { show: false } },
        ],
        series: [
          {
            id: 'revenue',
            name: 'Revenue',
            type: 'bar',
            yAxisIndex: 0,
            barMaxWidth: 28,
            itemStyle: { color: '#2f5bd3' },
            tooltip: { valueFormatter: (v) => money(v, currency) },
            data: rows.map((r) => [r.key, r.revenue]),
          },
          {
            id: 'orders',
            name: 'Orders',
            type: 'line',
            yAxisIndex: 1,
            symbolSize: 6,
            // Points help on a month; on years of days they only clutter the line.
            showSymbol: rows.length <= 62,
            itemStyle: { color: '#e07b00' },
            data: rows.map((r) => [r.key, r.orders]),
          },
        ],
      },
      { notMerge: true },
    );
  }

  function drawTopProducts(products, currency) {
    // Largest at the top: a category y axis draws its first entry at the bottom.
    const top = [...products].reverse();
    chart('chart-top-products').setOption(
      {
        ...base,
        title: emptyTitle(top.length === 0, 'No products sold in this range'),
        tooltip: {
          ...base.tooltip,
          trigger: 'item',
          formatter: (p) => `${p.name}\n${money(p.value, currency)} · ${integer.format(p.data.units)} units`,
        },
        grid: { left: 200, right: 90, top: 10, bottom: 30 },
        xAxis: { type: 'value', axisLabel: { formatter: moneyTick } },
        yAxis: { type: 'category', data: top.map((p) => p.name), axisLabel: { width: 185, overflow: 'truncate' } },
        series: [
          {
            id: 'revenue',
            name: 'Revenue',
            type: 'bar',
            barMaxWidth: 22,
            itemStyle: { color: '#2f5bd3' },
            label: { show: true, position: 'right', formatter: (p) => money(p.value, currency) },
            data: top.map((p) => ({ value: p.revenue, name: p.name, productId: p.productId, units: p.units })),
          },
        ],
      },
      { notMerge: true },
    );
  }

  /**
   * Product views → add to carts → purchases, the purchases being the orders of the days shoppers browsed. A range
   * without clickstream (replayed history: its orders have purchase events only) has no funnel: it says so.
   */
  function drawFunnel(summary) {
    const none = summary.clickstream === 'none';
    const steps = none
      ? []
      : [
          { name: 'Product views', value: summary.productViews },
          { name: 'Add to carts', value: summary.addToCarts },
          { name: 'Purchases', value: summary.funnelPurchases },
        ];
    el.funnelNote.textContent = none
      ? `No clickstream in this range: ${integer.format(summary.orders)} orders, but no session viewed, added to cart or searched (replayed history, or orders from other clients), so there is no funnel or conversion rate to show.`
      : summary.funnelPurchases < summary.purchases
        ? `Purchases are the ${integer.format(summary.funnelPurchases)} orders of the days with clickstream; ${integer.format(summary.purchases - summary.funnelPurchases)} more were placed on days without any.`
        : '';
    el.funnelNote.closest('.card').dataset.clickstream = summary.clickstream;
    const views = summary.productViews;
    const share = (v) => (views > 0 ? ` (${((v / views) * 100).toFixed(1)}%)` : '');
    chart('chart-funnel').setOption(
      {
        ...base,
        title: emptyTitle(
          steps.every((s) => s.value === 0),
          'No clickstream in this range',
        ),
        tooltip: {
          ...base.tooltip,
          trigger: 'item',
          formatter: (p) => `${p.name}: ${integer.format(p.value)}${share(p.value)}`,
        },
        series: [
          {
            id: 'funnel',
            name: 'Conversion funnel',
            type: 'funnel',
            // Views → carts → purchases in that order, whatever the counts; widths against the widest step.
            sort: 'none',
            min: 0,
            max: Math.max(1, ...steps.map((s) => s.value)),
            minSize: '4%',
            gap: 4,
            left: '4%',
            width: '56%',
            top: 10,
            bottom: 10,
            // Beside the funnel, not inside it: a narrow last step still shows its whole label.
            label: {
              show: true,
              position: 'right',
              formatter: (p) => `${p.name}: ${integer.format(p.value)}${share(p.value)}`,
              color: '#1d2433',
            },
            labelLine: { show: true, length: 12 },
            itemStyle: { borderWidth: 0 },
            color: ['#2f5bd3', '#5b7fe0', '#e07b00'],
            data: steps,
          },
        ],
      },
      { notMerge: true },
    );
  }

  function drawCategories(rows, currency) {
    const sorted = [...rows].sort((a, b) => b.revenue - a.revenue);
    chart('chart-category').setOption(
      {
        ...base,
        title: emptyTitle(sorted.length === 0, 'No sales in this range'),
        tooltip: {
          ...base.tooltip,
          trigger: 'item',
          formatter: (p) =>
            `${p.name}\n${money(p.value, currency)} · ${integer.format(p.data.orders)} orders · ${integer.format(p.data.units)} units`,
        },
        grid: { left: 80, right: 20, top: 20, bottom: 50 },
        xAxis: {
          type: 'category',
          data: sorted.map((r) => r.key),
          axisLabel: { interval: 0, rotate: sorted.length > 6 ? 30 : 0 },
        },
        yAxis: { type: 'value', axisLabel: { formatter: moneyTick } },
        series: [
          {
            id: 'revenue',
            name: 'Revenue',
            type: 'bar',
            barMaxWidth: 40,
            itemStyle: { color: '#3a9d6a' },
            data: sorted.map((r) => ({ value: r.revenue, name: r.key, orders: r.orders, units: r.units })),
          },
        ],
      },
      { notMerge: true },
    );
  }

  /** Searches that found nothing (insights of kind no_results), most searched at the top of the bars. */
  function drawNoResultSearches(items) {
    const top = [...items].reverse();
    chart('chart-no-results').setOption(
      {
        ...base,
        title: emptyTitle(top.length === 0, 'Every search found something'),
        tooltip: {
          ...base.tooltip,
          trigger: 'item',
          formatter: (p) => `“${p.name}”: ${integer.format(p.value)} searches, no results`,
        },
        grid: { left: 200, right: 60, top: 10, bottom: 30 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: top.map((i) => i.query), axisLabel: { width: 185, overflow: 'truncate' } },
        series: [
          {
            id: 'searches',
            name: 'Searches',
            type: 'bar',
            barMaxWidth: 22,
            itemStyle: { color: '#c0392b' },
            label: { show: true, position: 'right', formatter: (p) => integer.format(p.value) },
            data: top.map((i) => ({ value: i.metric, name: i.query })),
          },
        ],
      },
      { notMerge: true },
    );
  }

  function drawInsights(items, asOf) {
    el.insightsNote.textContent = asOf
      ? `The latest weeks of the dates chosen, to ${asOf}.`
      : 'No sales in the dates chosen.';
    el.insights.replaceChildren(
      ...(items.length === 0
        ? [Object.assign(document.createElement('li'), { className: 'empty', textContent: 'Nothing needs attention.' })]
        : items.map((item) => {
            const li = document.createElement('li');
            li.dataset.kind = item.kind;
            if (item.productId) li.dataset.productId = item.productId;
            const kind = document.createElement('span');
            kind.className = `kind ${String(item.kind)
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-')}`;
            kind.textContent = String(item.kind).replace(/[_-]+/g, ' ');
            const message = document.createElement('span');
            message.className = 'message';
            message.textContent = item.message;
            li.append(kind, message);
            return li;
          })),
    );
  }

  function drawKpis(summary) {
    el.kpiOrders.textContent = integer.format(summary.orders);
    el.kpiRevenue.textContent = money(summary.revenue, summary.currency);
    el.kpiAov.textContent = money(summary.averageOrderValue, summary.currency);
    // No clickstream, no rate: not 0 % and not 100 %.
    // funnelConversionRate, not the contract's conversionRate: sessions of purchase events alone are no funnel.
    el.kpiConversion.textContent =
      summary.funnelConversionRate === null ? 'no clickstream' : percent(summary.funnelConversionRate);
    el.kpiConversion.classList.toggle('absent', summary.funnelConversionRate === null);
    el.kpiNonMerchandise.textContent = money(summary.nonMerchandise.revenue, summary.currency);
  }

  // ------------------------------------------------------------------ loading

  let generation = 0;
  const busy = (on) => {
    for (const b of [el.rangeForm.querySelector('button[type=submit]'), el.last30, el.allData]) b.disabled = on;
  };

  /** Reads every figure for the chosen range and draws it; a later request wins over an earlier one. */
  async function load() {
    const startDate = el.start.value;
    const endDate = el.end.value;
    show(el.error, '');
    if (!startDate || !endDate) return handleFailure(new ApiError(0, 'RANGE', 'Choose both dates of the range.'));
    if (endDate < startDate) return handleFailure(new ApiError(0, 'RANGE', '“To” must not be before “From”.'));
    const mine = ++generation;
    setState('loading');
    busy(true);
    // A row a day up to the API's limit for days; by month beyond it.
    const dimension = daysIn(startDate, endDate) > MAX_RANGE_DAYS ? 'month' : 'day';
    try {
      const [summary, byDay, byCategory, insights] = await Promise.all([
        api(`/v1/analytics/dashboard/summary?${query({ startDate, endDate })}`),
        salesReport(startDate, endDate, dimension),
        salesReport(startDate, endDate, 'category'),
        api(`/v1/analytics/insights?${query({ startDate, endDate })}`),
      ]);
      if (mine !== generation) return;
      drawKpis(summary);
      drawDaily(byDay.rows, summary.currency, dimension);
      drawTopProducts(summary.topProducts, summary.currency);
      drawFunnel(summary);
      drawCategories(byCategory.rows, summary.currency);
      // Searches with no results have their own chart; the list holds the stock, demand and conversion findings.
      drawInsights(
        insights.items.filter((i) => i.kind !== 'no_results'),
        insights.asOf,
      );
      drawNoResultSearches(insights.items.filter((i) => i.kind === 'no_results'));
      // The forecast and pricing sections offer the range's top products (models.js).
      window.ecicommModels.suggest(summary.topProducts);
      el.rangeNote.textContent = byDay.rows.some(hasSales)
        ? ''
        : `No sales between ${startDate} and ${endDate}${summary.latestSalesDate ? `; the latest is on ${summary.latestSalesDate}` : ''}. “All data” shows the whole history.`;
      setState('ready');
    } catch (error) {
      if (mine === generation) handleFailure(error);
    } finally {
      if (mine === generation) busy(false);
    }
  }

  function setRange(startDate, endDate) {
    el.start.value = startDate;
    el.end.value = endDate;
  }

  const lastThirtyDays = () => setRange(daysBefore(todayUtc(), 29), todayUtc());

  /**
   * From the first to the last day that has sales, however many years apart (replayed 2010-2011 history beside
   * today's orders): the summary names both whatever the range it is asked for.
   */
  async function allData() {
    show(el.error, '');
    el.rangeNote.textContent = '';
    const mine = ++generation;
    setState('loading');
    busy(true);
    try {
      const { firstSalesDate, latestSalesDate } = await api('/v1/analytics/dashboard/summary');
      if (mine !== generation) return;
      if (!firstSalesDate || !latestSalesDate) {
        el.rangeNote.textContent = 'No sales recorded yet.';
        setState('ready');
        return;
      }
      setRange(firstSalesDate, latestSalesDate);
    } catch (error) {
      if (mine === generation) {
        busy(false);
        handleFailure(error);
      }
      return;
    }
    busy(false);
    await load();
  }

  // ------------------------------------------------------------------ events

  el.signInForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = el.email.value.trim();
    const password = el.password.value;
    if (!email || !password) return show(el.signInError, 'Enter your email and password.');
    show(el.signInError, '');
    el.signInButton.disabled = true;
    setState('signing-in');
    try {
      const { idToken } = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
      sessionStorage.setItem(TOKEN_KEY, idToken);
      sessionStorage.setItem(EMAIL_KEY, email);
      el.password.value = '';
      showDashboard();
      await load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        show(el.signInError, error.message || 'Wrong email or password.');
        setState('signed-out-with-error');
      } else if (!el.signIn.hidden) {
        show(el.signInError, error.message);
        setState('signed-out-with-error');
      } else handleFailure(error);
    } finally {
      el.signInButton.disabled = false;
    }
  });

  el.signOut.addEventListener('click', () => showSignIn());
  el.rangeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  el.last30.addEventListener('click', () => {
    lastThirtyDays();
    void load();
  });
  el.allData.addEventListener('click', () => void allData());

  // ------------------------------------------------------------------ start

  window.ecicommModels.init(api);

  lastThirtyDays();
  if (sessionStorage.getItem(TOKEN_KEY)) {
    showDashboard();
    void load();
  } else showSignIn();
})();
