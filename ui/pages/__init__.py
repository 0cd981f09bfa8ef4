"""The pages, by area (auth, tickets, workspace, admin): one module a page, and each area's
`register()`, which ui/app.py calls, puts its pages at their paths (ui/routes.py). A page
builds from components and never imports another page."""

# The pages load what they show from the services: more than NiceGUI's default 3 s.
RESPONSE_TIMEOUT = 20
