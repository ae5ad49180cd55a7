"""Meeting documents, information sheets and slides."""


def init_app(app):
    """Its pages (one blueprint per audience), and its answers to the lower domains'
    signals (wenevents/signals.py)."""
    from wenevents import signals
    from wenevents.uploads import agenda_links, cloning, manage, receivers, views

    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    signals.meeting_cloned.connect(cloning.copy_documents)
    signals.meeting_delete_blockers.connect(receivers.meeting_delete_blockers)
    signals.network_delete_blockers.connect(receivers.network_delete_blockers)
    signals.network_history.connect(receivers.network_history)
    signals.meeting_page.connect(receivers.meeting_page)
    signals.agenda_item_files.connect(agenda_links.files_of_items)
    signals.delegate_upload_network.connect(receivers.delegate_upload_network)
    signals.untranslated_content.connect(receivers.untranslated_content)
    signals.personal_data.connect(receivers.personal_data)
    signals.account_closing.connect(receivers.account_closing)
