"""Payment service: bank payments, notifications, refund flags and e-invoices."""
