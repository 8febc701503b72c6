// Starts Swagger UI on the REST reference page (served by src/rest/docs-plugin.ts). A file of its
// own, not an inline script, so that the page's Content-Security-Policy can say script-src 'self'.
/* global SwaggerUIBundle */
const root = document.getElementById('swagger-ui');

window.ui = SwaggerUIBundle({
  url: root.dataset.specUrl,
  domNode: root,
  deepLinking: true,
  // No call to the public validator service (a request leaving this origin, and a badge image).
  validatorUrl: null,
  // A token pasted into "Authorize" stays in this tab's memory, never in localStorage.
  persistAuthorization: false,
  displayOperationId: false,
  defaultModelsExpandDepth: 0,
  docExpansion: 'list',
  filter: true,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
