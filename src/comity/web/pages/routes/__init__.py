"""The pages' routes, one module per area (accounts, lifecycle) plus the site's own (dashboard,
language), each exposing a `router`. `comity.web.pages` includes every one of them."""
