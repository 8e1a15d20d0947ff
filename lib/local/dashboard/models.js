// The dashboard's demand-insights sections: a product's weekly history with the model's forecast and its p10-p90
// band, drawn as SVG by hand (a band is a polygon: the p90 line out and the p10 line back), and the pricing model's
// reading of the same product for admins. dashboard.js calls `ecicommModels.init(api)` once signed in and
// `ecicommModels.suggest(products)` with the top products of each range; no inline script or style (the CSP).
(() => {
  'use strict';

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  const pounds = (minor, currency) =>
    new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: 2 }).format(minor / 100);

  let el;
  let api;
  let generation = 0;

  /** The signed-in caller's groups, from the ID token's claims (the API checks them again; this only picks the view). */
  function groups(token) {
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      const claim = payload['cognito:groups'];
      return Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
    } catch {
      return [];
    }
  }

  const svg = (name, attributes = {}, text) => {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const WIDTH = 800;
  const HEIGHT = 260;
  const PAD = { left: 56, right: 16, top: 16, bottom: 40 };

  /**
   * History (solid), forecast (dashed) and the band between p10 and p90, on one weekly axis: the history's weeks,
   * then the forecast's from the model's cut (a vertical line marks it). Each point is `x,y` in the viewBox.
   */
  function drawForecast(forecast) {
    const history = forecast.history;
    const weeks = forecast.weeks;
    const count = history.length + weeks.length;
    const top = Math.max(1, ...history.map((h) => h.units), ...weeks.map((w) => w.p90)) * 1.1;
    const x = (i) => PAD.left + (count <= 1 ? 0 : (i * (WIDTH - PAD.left - PAD.right)) / (count - 1));
    const y = (units) => HEIGHT - PAD.bottom - (units / top) * (HEIGHT - PAD.top - PAD.bottom);
    const point = (i, units) => `${x(i).toFixed(1)},${y(units).toFixed(1)}`;
    const at = (i) => history.length + i;

    const nodes = [svg('title', {}, `Weekly units of ${forecast.name}: history and forecast with its p10-p90 band`)];
    for (const fraction of [0, 0.5, 1]) {
      const units = (top / 1.1) * fraction;
      nodes.push(
        svg('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(units), y2: y(units) }),
        svg('text', { class: 'tick', x: PAD.left - 6, y: y(units) + 4, 'text-anchor': 'end' }, integer.format(units)),
      );
    }
    nodes.push(
      svg('polygon', {
        class: 'band',
        'data-series': 'band',
        points: [
          ...weeks.map((w, i) => point(at(i), w.p90)),
          ...weeks.map((w, i) => point(at(i), w.p10)).reverse(),
        ].join(' '),
      }),
      svg('polyline', {
        class: 'history',
        'data-series': 'history',
        points: history.map((h, i) => point(i, h.units)).join(' '),
      }),
      svg('polyline', {
        class: 'forecast',
        'data-series': 'forecast',
        points: weeks.map((w, i) => point(at(i), w.units)).join(' '),
      }),
      svg('line', { class: 'cut', x1: x(at(0)), x2: x(at(0)), y1: PAD.top, y2: HEIGHT - PAD.bottom }),
    );
    const label = (i, text, anchor) =>
      svg('text', { class: 'tick', x: x(i), y: HEIGHT - PAD.bottom + 16, 'text-anchor': anchor }, text);
    if (history.length) nodes.push(label(0, history[0].weekStart, 'start'));
    nodes.push(label(at(0), `cut ${forecast.asOf}`, 'middle'), label(count - 1, weeks.at(-1).weekStart, 'end'));
    nodes.push(
      svg(
        'text',
        { class: 'legend', x: PAD.left, y: HEIGHT - 6 },
        'Solid: units sold a week · dashed: forecast · shaded: p10-p90',
      ),
    );
    el.chart.replaceChildren(...nodes);
    // An SVG element has no `hidden` property (HTMLElement's has): the attribute itself is toggled.
    el.chart.toggleAttribute('hidden', false);
  }

  async function showForecast(productId, weeks) {
    const forecast = await api(`/v1/analytics/forecast?${new URLSearchParams({ productId, weeks })}`);
    if (forecast.forecast !== 'forecast') {
      el.chart.toggleAttribute('hidden', true);
      el.chart.replaceChildren();
      el.note.textContent = `${forecast.name}: the model never saw it sold before its cut (${forecast.asOf}), so there is no forecast.`;
      return;
    }
    drawForecast(forecast);
    const total = forecast.weeks.reduce((sum, w) => sum + w.units, 0);
    el.note.textContent = `${forecast.name}: ${integer.format(total)} units forecast over ${forecast.weeks.length} weeks from ${forecast.asOf}; 80 % of weeks fall inside the band.`;
  }

  const fixed2 = (n) => n.toFixed(2).replace('-', '−');

  async function showPricing(productId) {
    if (!groups(sessionStorage.getItem('ecicomm.dashboard.idToken') || '').includes('admin')) {
      el.pricing.hidden = true;
      el.pricingNote.textContent =
        'Pricing needs an admin: sign in as an admin to see elasticity and price suggestions.';
      return;
    }
    const p = await api(`/v1/analytics/pricing?${new URLSearchParams({ productId })}`);
    el.pricingCurrent.textContent = pounds(p.currentPrice, p.currency);
    el.pricingElasticity.textContent = p.elasticity === undefined ? 'not estimated' : fixed2(p.elasticity);
    el.pricingInterval.textContent = p.interval ? `${fixed2(p.interval[0])} to ${fixed2(p.interval[1])}` : '–';
    el.pricingSuggested.textContent =
      p.suggestedPrice === undefined ? 'no suggestion' : pounds(p.suggestedPrice, p.currency);
    el.pricingReason.textContent = p.reason;
    el.pricingNote.textContent = `${p.name}. Nothing changes the price: apply a suggestion through the catalog API.`;
    el.pricing.hidden = false;
  }

  /** The model's answers for the chosen product; its errors (503 while it trains) are said in the sections. */
  async function show() {
    const productId = el.product.value.trim();
    if (!productId) return;
    const mine = ++generation;
    document.body.dataset.models = 'loading';
    const weeks = el.weeks.value || '8';
    const results = await Promise.allSettled([showForecast(productId, weeks), showPricing(productId)]);
    if (mine !== generation) return;
    const [forecast, pricing] = results;
    if (forecast.status === 'rejected') {
      el.chart.toggleAttribute('hidden', true);
      el.note.textContent = forecast.reason.message;
    }
    if (pricing.status === 'rejected') {
      el.pricing.hidden = true;
      el.pricingNote.textContent = pricing.reason.message;
    }
    document.body.dataset.models = 'ready';
  }

  function init(callApi) {
    api = callApi;
    el = {
      form: $('forecast-form'),
      product: $('forecast-product'),
      products: $('forecast-products'),
      weeks: $('forecast-weeks'),
      note: $('forecast-note'),
      chart: $('forecast-chart'),
      pricing: $('pricing'),
      pricingNote: $('pricing-note'),
      pricingCurrent: $('pricing-current'),
      pricingElasticity: $('pricing-elasticity'),
      pricingInterval: $('pricing-interval'),
      pricingSuggested: $('pricing-suggested'),
      pricingReason: $('pricing-reason'),
    };
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void show();
    });
  }

  /** The range's top products as choices; the first is shown until the analyst picks another. */
  function suggest(products) {
    el.products.replaceChildren(
      ...products.map((p) => Object.assign(document.createElement('option'), { value: p.productId, label: p.name })),
    );
    if (!el.product.value && products.length) {
      el.product.value = products[0].productId;
      void show();
    }
  }

  window.ecicommModels = { init, suggest };
})();
