"""The UI's clients of the three services: gRPC calls on behalf of one account, every
failure an `ApiError` in the account's language. No NiceGUI: any program may use them.

- `account.Account`: who calls (its token, role and language);
- `auth.login`, `auth.AuthClient`, `tickets.TicketsClient`, `files.FilesClient`;
- `errors.ApiError`; `channels`: the process's shared channels; `base`: what they share.
"""
