"""审计日志: the audit log as the auditor reads it."""
