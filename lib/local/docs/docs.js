// Swagger UI over the platform's own OpenAPI document. "Try it out" calls the API from this origin; the
// Authorize button takes an ID token from POST /v1/auth/login. Nothing is fetched from elsewhere: no
// validator badge (it calls a public validator), no remote configuration from the query string.
window.ui = SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  displayOperationId: true,
  displayRequestDuration: true,
  validatorUrl: null,
  queryConfigEnabled: false,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
