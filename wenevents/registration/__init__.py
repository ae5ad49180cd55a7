"""Registration: delegates register, their network endorses, organisers decide."""
