"""The API's routes, one module (or package) per area, each exposing a `router` that calls the
area's services with the request's actor. `comity.web.api` includes every one of them."""
