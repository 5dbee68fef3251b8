/*
 * Ringside's own disk-boot test guest. The BIOS loads the boot sector at 0x7C00; it prints through INT 10h,
 * loads the rest of the image (right behind itself, from 0x7E00) with ATA PIO on the primary IDE channel,
 * enters protected mode, starts CPU 1 with INIT + SIPI (trampoline at 0x9000), and then counts interrupts:
 * each CPU's local APIC timer (vector 0x20), and the PIT through the I/O APIC (vector 0x21), first to CPU 0,
 * then re-routed to CPU 1. When every count has reached its goal it reports on COM1 and ends through
 * isa-debug-exit (status 0x10 -> exit code 33).
 */
        .intel_syntax noprefix
        .set SECTORS, (end - stage2 + 511) / 512
        .set LAPIC, 0xfee00000
        .set IOAPIC, 0xfec00000
        .set GOAL, 8

        .code16
        .globl start
start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        mov ax, 0x0e42                  /* 'B' through the BIOS teletype */
        int 0x10

        /* ATA READ SECTORS (LBA28): SECTORS sectors from LBA 1 to 0x7E00. */
        mov dx, 0x1f6
        mov al, 0xe0
        out dx, al
        mov dx, 0x1f2
        mov al, SECTORS
        out dx, al
        inc dx
        mov al, 1
        out dx, al
        inc dx
        xor al, al
        out dx, al
        inc dx
        out dx, al
        mov dx, 0x1f7
        mov al, 0x20
        out dx, al
        mov di, 0x7e00
        mov bx, SECTORS
1:      mov dx, 0x1f7
2:      in al, dx
        test al, 0x80                   /* BSY */
        jnz 2b
        test al, 0x01                   /* ERR */
        jnz fail16
        test al, 0x08                   /* DRQ */
        jz 2b
        mov cx, 256
        mov dx, 0x1f0
        rep insw
        dec bx
        jnz 1b
        jmp stage2

fail16: mov ax, 0x0e45                  /* 'E' */
        int 0x10
        hlt
        jmp fail16

        .org 510
        .word 0xaa55

/* ---- stage 2, loaded over IDE ---- */
stage2:
        mov ax, 0x0e32                  /* '2': the PIO load worked */
        int 0x10
        cli
        lgdt gdt_desc
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        ljmp 0x08, offset pm32

        .p2align 3
gdt:    .quad 0
        .quad 0x00cf9a000000ffff        /* 0x08 code */
        .quad 0x00cf92000000ffff        /* 0x10 data */
gdt_desc:
        .word gdt_desc - gdt - 1
        .long gdt
idt_desc:
        .word 256 * 8 - 1
        .long idt

        .code32
pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7000
        /* IDT: every vector to `unexpected`, then the three we use. */
        mov ecx, 0
3:      mov eax, offset unexpected
        call set_gate
        inc ecx
        cmp ecx, 256
        jne 3b
        mov ecx, 0x20
        mov eax, offset timer_irq
        call set_gate
        mov ecx, 0x21
        mov eax, offset ioapic_irq
        call set_gate
        mov ecx, 0xff
        mov eax, offset spurious
        call set_gate
        lidt idt_desc

        mov al, 0xff                    /* the 8259s stay masked: everything comes through the APICs */
        out 0x21, al
        out 0xa1, al
        call lapic_setup

        /* PIT channel 0: rate generator at ~1 kHz, IRQ0 -> I/O APIC pin 2 -> vector 0x21 on APIC 0. */
        mov al, 0x34
        out 0x43, al
        mov al, 0xa9
        out 0x40, al
        mov al, 0x04
        out 0x40, al
        mov dword ptr [IOAPIC], 0x15
        mov dword ptr [IOAPIC + 0x10], 0x00000000
        mov dword ptr [IOAPIC], 0x14
        mov dword ptr [IOAPIC + 0x10], 0x00000021

        /* INIT, then STARTUP with vector 0x09 (0x9000), to APIC 1. */
        mov dword ptr [LAPIC + 0x310], 0x01000000
        mov dword ptr [LAPIC + 0x300], 0x00004500
        mov dword ptr [LAPIC + 0x310], 0x01000000
        mov dword ptr [LAPIC + 0x300], 0x00004609
        sti

4:      hlt
        cmp dword ptr [io_count], GOAL
        jb 4b
        /* CPU 0 has had its I/O APIC interrupts: send the PIT's to CPU 1 from now on. */
        mov dword ptr [IOAPIC], 0x15
        mov dword ptr [IOAPIC + 0x10], 0x01000000
5:      hlt
        cmp dword ptr [io_count + 4], GOAL
        jb 5b
        cmp dword ptr [timer_count], GOAL
        jb 5b
        cmp dword ptr [timer_count + 4], GOAL
        jb 5b
        cli

        mov esi, offset msg_ok
        call puts
        mov eax, [timer_count]
        call puthex
        mov eax, [timer_count + 4]
        call puthex
        mov eax, [io_count]
        call puthex
        mov eax, [io_count + 4]
        call puthex
        mov al, 10
        call putc
        mov al, 0x10
        out 0xf4, al
        hlt

/* Gate ECX -> handler EAX: 32-bit interrupt gate, ring 0, code selector 0x08. */
set_gate:
        mov word ptr [idt + ecx * 8], ax
        mov word ptr [idt + ecx * 8 + 2], 0x08
        mov word ptr [idt + ecx * 8 + 4], 0x8e00
        shr eax, 16
        mov word ptr [idt + ecx * 8 + 6], ax
        ret

/* This CPU's local APIC on, its timer periodic at vector 0x20 (divide by 1, 200000 bus clocks). */
lapic_setup:
        mov dword ptr [LAPIC + 0xf0], 0x1ff
        mov dword ptr [LAPIC + 0x3e0], 0x0b
        mov dword ptr [LAPIC + 0x320], 0x00020020
        mov dword ptr [LAPIC + 0x380], 200000
        ret

/* EAX = this CPU's APIC ID (0 or 1) */
apic_id:
        mov eax, [LAPIC + 0x20]
        shr eax, 24
        and eax, 1
        ret

timer_irq:
        push eax
        call apic_id
        lock inc dword ptr [timer_count + eax * 4]
        mov dword ptr [LAPIC + 0xb0], 0
        pop eax
        iret

ioapic_irq:
        push eax
        call apic_id
        lock inc dword ptr [io_count + eax * 4]
        mov dword ptr [LAPIC + 0xb0], 0
        pop eax
        iret

spurious:
        iret

unexpected:
        mov esi, offset msg_bad
        call puts
        mov al, 0x01
        out 0xf4, al
        hlt

putc:   push edx
        push eax
        mov dx, 0x3fd
6:      in al, dx
        test al, 0x20
        jz 6b
        pop eax
        mov dx, 0x3f8
        out dx, al
        pop edx
        ret

puts:   lodsb
        test al, al
        jz 7f
        call putc
        jmp puts
7:      ret

/* " xxxxxxxx" */
puthex: push ecx
        mov ecx, eax
        mov al, ' '
        call putc
        push ebx
        mov ebx, 8
8:      rol ecx, 4
        mov al, cl
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe 9f
        add al, 7
9:      call putc
        dec ebx
        jnz 8b
        pop ebx
        pop ecx
        ret

/* ---- CPU 1 ---- */
ap32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x6000
        lidt idt_desc
        call lapic_setup
        mov esi, offset msg_ap
        call puts
        sti
10:     hlt
        jmp 10b

msg_ok: .asciz "RINGSIDE-SMP-DISK-OK timers/ioapic per CPU:"
msg_bad: .asciz "RINGSIDE-SMP-DISK-FAIL unexpected interrupt\n"
msg_ap: .asciz "cpu1 up\n"

        .p2align 2
timer_count: .long 0, 0
io_count: .long 0, 0

/* The AP starts here in real mode: SIPI vector 0x09 = 0x9000. */
        .org 0x9000 - 0x7c00
        .code16
trampoline:
        cli
        xor ax, ax
        mov ds, ax
        lgdt gdt_desc
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        ljmp 0x08, offset ap32
        .code32

        .p2align 9
end:
        .section .bss
        .p2align 3
idt:    .space 256 * 8
