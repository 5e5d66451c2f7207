"""One router per subject; each calls the services with the request actor."""
