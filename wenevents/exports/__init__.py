"""Exports: calendars, schedules for conference apps, spreadsheets. Each a plain module."""
