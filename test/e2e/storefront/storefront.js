// The storefront's script: plain fetch against the API on another origin, bearer token in Authorization.
const params = new URLSearchParams(location.search);
const api = `${params.get('api')}/v1`;
const productId = params.get('product');
const $ = (id) => document.getElementById(id);
let token;

/** One API call; what the app may read of the answer (body, and the headers CORS exposes). */
async function call(method, path, body, headers = {}) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const answer = {
    status: res.status,
    body: text ? JSON.parse(text) : undefined,
    requestId: res.headers.get('x-request-id'),
    location: res.headers.get('location'),
  };
  if (!res.ok)
    throw Object.assign(new Error(`${method} ${path} → ${res.status} ${answer.body?.error?.code}`), { answer });
  return answer;
}

/** Runs a step; a failure (an error answer, or a fetch the browser refused) is shown and kept. */
const step = (fn) => async (event) => {
  event?.preventDefault();
  try {
    await fn();
  } catch (error) {
    $('error').textContent = `${error.name}: ${error.message}`;
    document.body.dataset.step = 'failed';
  }
};

$('sign-in').addEventListener(
  'submit',
  step(async () => {
    const { body } = await call('POST', '/auth/login', { email: $('email').value, password: $('password').value });
    token = body.idToken;
    $('who').textContent = `Signed in as ${$('email').value}`;
    const product = (await call('GET', `/products/${encodeURIComponent(productId)}`)).body;
    $('product-name').textContent = product.name;
    $('product').hidden = false;
    document.body.dataset.step = 'signed-in';
  }),
);

$('add').addEventListener(
  'click',
  step(async () => {
    const cart = (await call('POST', '/cart/items', { productId, quantity: 2 })).body;
    $('cart').textContent = `${cart.items.length} line(s), total ${cart.total} ${cart.currency}`;
    $('cart').dataset.total = String(cart.total);
    $('order').hidden = false;
    document.body.dataset.step = 'in-cart';
  }),
);

$('order').addEventListener(
  'click',
  step(async () => {
    const shippingAddress = {
      name: 'Ada Lovelace',
      line1: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    };
    const placed = await call(
      'POST',
      '/orders',
      { shippingAddress, paymentToken: 'tok_visa' },
      { 'Idempotency-Key': crypto.randomUUID() },
    );
    const status = $('order-status');
    Object.assign(status.dataset, {
      orderId: placed.body.orderId,
      location: placed.location ?? '',
      requestId: placed.requestId ?? '',
    });
    let order = placed.body;
    for (let i = 0; i < 200 && order.status === 'PENDING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      order = (await call('GET', `/orders/${encodeURIComponent(placed.body.orderId)}`)).body;
    }
    status.textContent = `Order ${order.orderId} ${order.status}, total ${order.total} ${order.currency}`;
    status.dataset.status = order.status;
    status.dataset.total = String(order.total);
    document.body.dataset.step = 'ordered';
  }),
);
