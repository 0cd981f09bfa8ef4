"""The manager's administration: what its pages share (sections, access, dialogs and forms
with the services' problems next to their fields), accounts, organizations, sites and the
studio's settings."""
