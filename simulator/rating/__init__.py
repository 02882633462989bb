"""Rating the trainee from the client's hidden point of view."""
