"""The core's CLI groups: db, users, audit, jobs and serve."""
