// Starts GraphiQL against this server's /graphql. Everything it loads comes
// from this server: no CDN, so it works on an intranet. The headers editor
// is on (sign in with the signIn mutation, then put
// {"Authorization": "Bearer <token>"} there); headers and queries are kept
// in this browser's localStorage between visits.
(function () {
  var url = new URL('/graphql', window.location.href).href;
  var fetcher = GraphiQL.createFetcher({ url: url });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: true,
  }));
})();
