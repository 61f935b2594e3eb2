-- Whether the engine last left each linked account active (1) or disabled (0): set when
-- it creates, enables or disables the account; NULL when it does not know (an adopted
-- account, or a link made before this migration). A leaver's account the engine left
-- active can be disabled with no read before (`PlanOptions::trust_links`).
ALTER TABLE links ADD COLUMN active INTEGER;
