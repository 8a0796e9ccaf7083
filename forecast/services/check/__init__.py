"""`forecast check`: what needs attention, applied (auto-close, auto-resolve), reported, locked and recorded."""
