"""Operations room: online backup and restore of the SQLite database (`flask lms backup`,
`flask lms restore`). PostgreSQL is backed up with pg_dump (docs/deployment.md)."""
