"""Who sees what: the roles, a signed-in user's scope (which vendors' rows, whether caller numbers are
shown), the users kept in the history database with their argon2 password hashes, sign-in with a
lock after repeated failures, and the audit rows of sign-ins and exports.

The scope is applied where data is fetched (the app's loaders and history queries), not where it is
drawn: `Scope.keep` is the one filter every query and download passes through.
"""
