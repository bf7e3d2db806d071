"""Kraty Local: a stateful implementation of the Kraty /server/v1 admin API."""
